using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Export.Onnx;

/// <summary>
/// Writes a Kindling model as ONNX by walking its module tree: each module's type picks a converter
/// (<see cref="OnnxConverterRegistry"/>) that emits the nodes of its forward in eval mode. One named
/// input (batch, C, H, W) and one named output (batch, classes), with a symbolic batch axis by default.
/// </summary>
public static class OnnxExporter
{
    /// <summary>Exports <paramref name="model"/> for inputs of shape (C, H, W) to <paramref name="path"/> (written atomically).</summary>
    /// <returns>The exported model, e.g. to inspect or quantize further.</returns>
    /// <exception cref="OnnxExportException">A module type without a converter (the message names it), or an unsupported configuration.</exception>
    public static OnnxModel Export(nn.Module<Tensor, Tensor> model, long[] inputShapeCHW, string path, OnnxExportOptions? options = null)
    {
        var onnx = ToModel(model, inputShapeCHW, options);
        onnx.Save(path);
        return onnx;
    }

    /// <summary>Builds the ONNX model in memory without writing it.</summary>
    public static OnnxModel ToModel(nn.Module<Tensor, Tensor> model, long[] inputShapeCHW, OnnxExportOptions? options = null)
    {
        options ??= new OnnxExportOptions();
        if (inputShapeCHW.Length != 3 || inputShapeCHW.Any(d => d < 1))
            throw new ArgumentException($"The input shape must be (C, H, W) with positive sizes; got ({string.Join(", ", inputShapeCHW)}).", nameof(inputShapeCHW));
        if (options.Opset < 17) throw new ArgumentException($"ONNX export needs opset 17 or newer (LayerNormalization); got {options.Opset}.", nameof(options));
        var classes = OutputWidth(model, inputShapeCHW);
        var graph = new OnnxGraph { Name = options.GraphName };
        var conversion = new OnnxConversion(graph, options.Converters ?? OnnxConverterRegistry.Default);
        var output = conversion.Convert(model, options.InputName);
        // The graph output must be a node's output under the chosen name: rename the last value.
        Rename(graph, output, options.OutputName);
        long? batch = options.DynamicBatch ? null : options.BatchSize;
        string? batchParam = options.DynamicBatch ? "batch" : null;
        graph.Inputs.Add(new OnnxValueInfo(options.InputName, OnnxDataType.Float,
            new long?[] { batch, inputShapeCHW[0], inputShapeCHW[1], inputShapeCHW[2] }, new[] { batchParam, null, null, null }));
        graph.Outputs.Add(new OnnxValueInfo(options.OutputName, OnnxDataType.Float, new long?[] { batch, classes }, new[] { batchParam, null }));
        return new OnnxModel { Graph = graph, Opset = options.Opset, ModuleOutputs = conversion.ModuleOutputs };
    }

    static long OutputWidth(nn.Module<Tensor, Tensor> model, long[] chw)
    {
        bool training = model.training;
        model.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var device = model.parameters().FirstOrDefault()?.device ?? torch.CPU;
            var y = model.call(torch.zeros(new[] { 1L, chw[0], chw[1], chw[2] }, device: device));
            if (y.dim() != 2) throw new OnnxExportException($"The model's output has shape ({string.Join(", ", y.shape)}); export expects (batch, classes).");
            return y.shape[1];
        }
        finally
        {
            model.train(training);
        }
    }

    static void Rename(OnnxGraph graph, string from, string to)
    {
        if (from == to) return;
        var producer = graph.Nodes.FindIndex(n => n.Outputs.Contains(from));
        if (producer < 0)
        {
            // The model is the identity on its input (no node produced the output): add one.
            graph.Nodes.Add(new OnnxNode("Identity", "output", new[] { from }, new[] { to }, Array.Empty<OnnxAttribute>()));
            return;
        }
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var n = graph.Nodes[i];
            if (n.Outputs.Contains(from) || n.Inputs.Contains(from))
                graph.Nodes[i] = n with { Inputs = n.Inputs.Select(v => v == from ? to : v).ToArray(), Outputs = n.Outputs.Select(v => v == from ? to : v).ToArray() };
        }
    }
}
