using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Compression.Channels;

/// <summary>
/// A shrunk model's widths as a recipe stores them (<c>model.channels</c>): the output channels of every Conv2d in
/// <c>named_modules()</c> order. <see cref="Apply"/> resizes a freshly built full-width model to those widths
/// (keeping the first channels of each group; the checkpoint's weights are loaded afterwards), so a pruned
/// checkpoint is rebuilt from its recipe alone.
/// </summary>
public static class ChannelPlan
{
    /// <summary>The output channels of every Conv2d of <paramref name="model"/>, in <c>named_modules()</c> order.</summary>
    public static IReadOnlyList<int> Widths(nn.Module model) =>
        model.named_modules().Where(m => m.module is Conv2d).Select(m => (int)((Conv2d)m.module).out_channels).ToList();

    /// <summary>Shrinks <paramref name="model"/> in place to <paramref name="widths"/> (see the class remarks).</summary>
    /// <exception cref="ArgumentException">The widths do not fit the model: wrong count, wider than the model, or
    /// different widths for convolutions joined by a residual addition.</exception>
    /// <exception cref="NotSupportedException">The family's channel wiring is not known (<see cref="ChannelTopology"/>).</exception>
    public static void Apply(nn.Module model, IReadOnlyList<int> widths)
    {
        var convs = model.named_modules().Where(m => m.module is Conv2d).Select((m, i) => (m.name, i, Width: ((Conv2d)m.module).out_channels)).ToList();
        if (widths.Count != convs.Count)
            throw new ArgumentException($"model.channels lists {widths.Count} widths; {model.GetType().Name} has {convs.Count} convolutions (one width per Conv2d, in named_modules order).");
        if (widths.SequenceEqual(convs.Select(c => (int)c.Width))) return;
        var index = convs.ToDictionary(c => c.name, c => c.i);
        var groups = ChannelTopology.Of(model);
        var keep = new List<long[]>();
        var covered = new HashSet<string>();
        foreach (var group in groups)
        {
            var ws = group.Producers.Select(p => widths[index[p.Conv]]).Distinct().ToList();
            string first = group.Producers[0].Conv;
            if (ws.Count > 1)
                throw new ArgumentException($"model.channels gives {string.Join(" and ", ws)} channels to convolutions joined by a residual addition ({string.Join(", ", group.Producers.Select(p => p.Conv))}); they must be equal.");
            long size = convs[index[first]].Width;
            if (ws[0] < 1 || ws[0] > size)
                throw new ArgumentException($"model.channels gives '{first}' {ws[0]} channels; it must be in [1, {size}].");
            keep.Add(Enumerable.Range(0, ws[0]).Select(c => (long)c).ToArray());
            covered.UnionWith(group.Producers.Select(p => p.Conv));
        }
        foreach (var c in convs.Where(c => !covered.Contains(c.name) && widths[c.i] != c.Width))
            throw new ArgumentException($"model.channels changes '{c.name}' to {widths[c.i]} channels; its channels cannot be removed.");
        ChannelPruning.Shrink(model, groups, keep);
    }
}
