namespace Kindling.Export.Onnx;

/// <summary>How <see cref="OnnxExporter"/> writes a model.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Name of the image input, shape (batch, C, H, W).</summary>
    public string InputName { get; init; } = "input";

    /// <summary>Name of the logits output, shape (batch, classes).</summary>
    public string OutputName { get; init; } = "logits";

    /// <summary>Opset of the default domain; 17 (LayerNormalization) or newer.</summary>
    public long Opset { get; init; } = 17;

    /// <summary>A symbolic batch axis named "batch" (true) or the fixed <see cref="BatchSize"/>.</summary>
    public bool DynamicBatch { get; init; } = true;

    /// <summary>Batch size written into the input and output shapes when <see cref="DynamicBatch"/> is false.</summary>
    public long BatchSize { get; init; } = 1;

    /// <summary>The converters to use (default: <see cref="OnnxConverterRegistry.Default"/>).</summary>
    public OnnxConverterRegistry? Converters { get; init; }

    /// <summary>Graph name stored in the file.</summary>
    public string GraphName { get; init; } = "kindling";
}
