namespace Kindling.Models;

/// <summary>One leaf layer's step in the shape journey.</summary>
/// <param name="Name">Dotted module name, e.g. <c>block1.conv1</c>.</param>
/// <param name="Type">Module type, e.g. <c>Conv2d</c>.</param>
/// <param name="OutputShape">Output shape including the batch dimension.</param>
/// <param name="Parameters">Parameters the layer owns.</param>
/// <param name="Macs">Multiply-accumulates for one sample (see <see cref="ModelSummary"/> for the rules).</param>
public sealed record LayerSummary(string Name, string Type, long[] OutputShape, long Parameters, long Macs);
