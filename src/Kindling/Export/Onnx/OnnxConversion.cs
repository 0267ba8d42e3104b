using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Export.Onnx;

/// <summary>
/// The state of one export that converters write through: the graph being built, the module path
/// (which names the nodes and initializers, e.g. <c>features.block1.conv1.weight</c>) and the registry
/// that converts children.
/// </summary>
public sealed class OnnxConversion
{
    readonly OnnxConverterRegistry registry;
    readonly Stack<string> scope = new();
    readonly HashSet<string> names = new();
    int counter;

    internal OnnxConversion(OnnxGraph graph, OnnxConverterRegistry registry)
    {
        Graph = graph;
        this.registry = registry;
    }

    readonly Dictionary<string, string> moduleOutputs = new();

    /// <summary>Module path -> the name of its output value ("" is the whole model), for passes that map tensors back to modules.</summary>
    public IReadOnlyDictionary<string, string> ModuleOutputs => moduleOutputs;

    /// <summary>The graph being built.</summary>
    public OnnxGraph Graph { get; }

    /// <summary>The dotted path of the module being converted ("" at the root).</summary>
    public string Scope => string.Join(".", scope.Reverse());

    /// <summary>Converts <paramref name="module"/> (found under <paramref name="name"/> in its parent) on <paramref name="input"/>.</summary>
    /// <exception cref="OnnxExportException">No converter for the module's type.</exception>
    public string Convert(nn.Module module, string input, string name = "")
    {
        if (name.Length > 0) scope.Push(name);
        try
        {
            var converter = registry.Find(module.GetType())
                ?? throw new OnnxExportException(
                    $"ONNX export has no converter for module type '{module.GetType().FullName}'"
                    + (Scope.Length > 0 ? $" (at '{Scope}')" : "")
                    + "; register one with OnnxConverterRegistry.Register<T>(...) and pass it in OnnxExportOptions.Converters.");
            var output = converter(this, module, input);
            moduleOutputs[Scope] = output;
            return output;
        }
        finally
        {
            if (name.Length > 0) scope.Pop();
        }
    }

    /// <summary>The child module registered under <paramref name="name"/>, or null when the parent left that slot empty.</summary>
    public static nn.Module? TryChild(nn.Module parent, string name) =>
        parent.named_children().Where(c => c.name == name).Select(c => c.module).FirstOrDefault();

    /// <summary>Converts the child <paramref name="name"/> of <paramref name="parent"/> on <paramref name="input"/>.</summary>
    public string Child(nn.Module parent, string name, string input) =>
        Convert(TryChild(parent, name) ?? throw new OnnxExportException($"'{parent.GetType().Name}' at '{Scope}' has no submodule '{name}'."), input, name);

    /// <summary>Converts the child when present, else passes <paramref name="input"/> through.</summary>
    public string OptionalChild(nn.Module parent, string name, string input) =>
        TryChild(parent, name) is { } child ? Convert(child, input, name) : input;

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        Nodes(opType, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] Nodes(string opType, IReadOnlyList<string> inputs, int outputs, params OnnxAttribute[] attributes)
    {
        var name = Unique((Scope.Length > 0 ? Scope + "/" : "") + opType);
        var outs = Enumerable.Range(0, outputs).Select(i => outputs == 1 ? name + "_out" : $"{name}_out{i}").ToArray();
        Graph.Nodes.Add(new OnnxNode(opType, name, inputs.ToArray(), outs, attributes));
        return outs;
    }

    /// <summary>Adds a tensor's values as a float initializer named after the scope and <paramref name="suffix"/>.</summary>
    public string Initializer(Tensor value, string suffix)
    {
        using var cpu = value.detach().to(ScalarType.Float32, torch.CPU).contiguous();
        var data = new float[cpu.numel()];
        cpu.data<float>().CopyTo(data);
        return Add(OnnxTensor.FromFloats(Unique((Scope.Length > 0 ? Scope + "." : "") + suffix), cpu.shape, data));
    }

    /// <summary>A float constant of the given shape.</summary>
    public string Floats(long[] dims, params float[] values) => Add(OnnxTensor.FromFloats(Unique("const"), dims, values));

    /// <summary>A float scalar constant.</summary>
    public string Scalar(float value) => Floats(Array.Empty<long>(), value);

    /// <summary>A 1-D int64 constant (shapes, axes).</summary>
    public string Int64s(params long[] values) => Add(OnnxTensor.FromInt64s(Unique("const"), new long[] { values.Length }, values));

    /// <summary>Adds an initializer as it is.</summary>
    public string Add(OnnxTensor tensor)
    {
        names.Add(tensor.Name);
        Graph.Initializers.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A name not used yet in this graph, <paramref name="stem"/> when free.</summary>
    public string Unique(string stem)
    {
        var name = stem;
        while (!names.Add(name)) name = $"{stem}_{++counter}";
        return name;
    }
}
