namespace Kindling.Export.Onnx;

/// <summary>
/// A graph: nodes in topological order, initializers (weights and constants), the graph's inputs and
/// outputs. Mutable, so passes such as quantization can rewrite it before it is saved.
/// </summary>
public sealed class OnnxGraph
{
    /// <summary>The graph's name.</summary>
    public string Name { get; set; } = "kindling";

    /// <summary>Operators, each after the producers of its inputs.</summary>
    public List<OnnxNode> Nodes { get; } = new();

    /// <summary>Constant tensors by insertion order.</summary>
    public List<OnnxTensor> Initializers { get; } = new();

    /// <summary>Graph inputs (initializers are not listed here).</summary>
    public List<OnnxValueInfo> Inputs { get; } = new();

    /// <summary>Graph outputs.</summary>
    public List<OnnxValueInfo> Outputs { get; } = new();

    /// <summary>The initializer named <paramref name="name"/>, or null.</summary>
    public OnnxTensor? Initializer(string name) => Initializers.FirstOrDefault(t => t.Name == name);

    /// <summary>Counts of nodes by operator type, e.g. to check which kernels a runtime chose.</summary>
    public IReadOnlyDictionary<string, int> OpCounts() =>
        Nodes.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
}
