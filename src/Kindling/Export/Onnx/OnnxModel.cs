namespace Kindling.Export.Onnx;

/// <summary>
/// An ONNX model in memory: one graph, the default-domain opset it targets, and what wrote it.
/// <see cref="Save"/> writes ModelProto bytes (<see cref="Proto.OnnxProtoWriter"/>); <see cref="Load"/> reads them back.
/// </summary>
public sealed class OnnxModel
{
    /// <summary>IR version 8 is the one that goes with opsets 17 and 18.</summary>
    public const long DefaultIrVersion = 8;

    /// <summary>The model's graph.</summary>
    public required OnnxGraph Graph { get; init; }

    /// <summary>Opset of the default (ai.onnx) domain.</summary>
    public long Opset { get; init; } = 17;

    /// <summary>ONNX IR version.</summary>
    public long IrVersion { get; init; } = DefaultIrVersion;

    /// <summary>Producer name stored in the file.</summary>
    public string ProducerName { get; init; } = "kindling";

    /// <summary>Producer version stored in the file.</summary>
    public string ProducerVersion { get; init; } = typeof(OnnxModel).Assembly.GetName().Version?.ToString() ?? "";

    /// <summary>
    /// The model's metadata_props (key -> value): text that travels inside the file, such as the
    /// preprocessing a Kindling model needs (Config's OnnxEvalMetadata). Mutable so a caller can stamp a model it just built.
    /// </summary>
    public IDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Module path -> the value its forward outputs, for a model just exported (empty for one read from a file).
    /// Quantization-aware training uses it to place fake quantization where the QDQ model quantizes.
    /// The final output is renamed to the graph's output name, so the root's entry may be stale.
    /// </summary>
    public IReadOnlyDictionary<string, string> ModuleOutputs { get; init; } = new Dictionary<string, string>();

    /// <summary>The ModelProto bytes.</summary>
    public byte[] ToBytes() => Proto.OnnxProtoWriter.Write(this);

    /// <summary>Writes the model to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".tmp";
        File.WriteAllBytes(tmp, ToBytes());
        File.Move(tmp, full, overwrite: true);
    }

    /// <summary>Reads a model file (what Kindling or ONNX Runtime wrote).</summary>
    /// <exception cref="InvalidDataException">The file is not an ONNX ModelProto.</exception>
    public static OnnxModel Load(string path)
    {
        try
        {
            return Proto.OnnxProtoReader.Read(File.ReadAllBytes(path));
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path} is not an ONNX model: {e.Message}", e);
        }
    }
}
