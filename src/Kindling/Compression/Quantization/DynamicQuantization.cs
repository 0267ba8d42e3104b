using Kindling.Export.Onnx;
using TorchSharp;
using static Kindling.Export.Onnx.OnnxAttribute;

namespace Kindling.Compression.Quantization;

/// <summary>
/// Dynamic quantization of the linear layers (PyTorch's quantize_dynamic over nn.Linear): each MatMul
/// with a constant weight becomes DynamicQuantizeLinear on its input (uint8, scale from each batch's own
/// range at run time), MatMulInteger against int8 per-output-column symmetric weights, and a rescale by
/// input scale x weight scale. ONNX Runtime fuses the pattern into its DynamicQuantizeMatMul kernel.
/// Convolutions stay float; no calibration is needed.
/// </summary>
public static class DynamicQuantization
{
    /// <summary>The model with its linear layers dynamically quantized.</summary>
    public static OnnxModel Quantize(OnnxModel fp32)
    {
        var source = fp32.Graph;
        var constants = source.Initializers.Select(t => t.Name).ToHashSet();
        var g = new OnnxGraph { Name = source.Name };
        g.Inputs.AddRange(source.Inputs);
        g.Outputs.AddRange(source.Outputs);
        var replacedWeights = new HashSet<string>();
        foreach (var node in source.Nodes)
        {
            if (node.OpType != "MatMul" || !QdqQuantizer.IsWeighted(node, constants))
            {
                g.Nodes.Add(node);
                continue;
            }
            var weight = source.Initializer(node.Inputs[1])!;
            replacedWeights.Add(weight.Name);
            var (q, scales) = QuantizeColumns(weight);
            string name = node.Name;
            g.Initializers.Add(OnnxTensor.FromInt8s(weight.Name + "_quantized", weight.Dims, q));
            g.Initializers.Add(OnnxTensor.FromInt8s(weight.Name + "_zero_point", new long[] { scales.Length }, new sbyte[scales.Length]));
            g.Initializers.Add(OnnxTensor.FromFloats(weight.Name + "_scale", new long[] { scales.Length }, scales));
            string[] Out(params string[] suffixes) => suffixes.Select(s => $"{name}_{s}").ToArray();
            g.Nodes.Add(new OnnxNode("DynamicQuantizeLinear", name + "/DynamicQuantizeLinear", new[] { node.Inputs[0] }, Out("xq", "xscale", "xzero"), Array.Empty<OnnxAttribute>()));
            g.Nodes.Add(new OnnxNode("MatMulInteger", name + "/MatMulInteger", new[] { $"{name}_xq", weight.Name + "_quantized", $"{name}_xzero", weight.Name + "_zero_point" }, Out("int32"), Array.Empty<OnnxAttribute>()));
            g.Nodes.Add(new OnnxNode("Cast", name + "/Cast", Out("int32"), Out("float"), new[] { Of("to", (long)OnnxDataType.Float) }));
            g.Nodes.Add(new OnnxNode("Mul", name + "/ScaleProduct", new[] { $"{name}_xscale", weight.Name + "_scale" }, Out("scale"), Array.Empty<OnnxAttribute>()));
            g.Nodes.Add(new OnnxNode("Mul", name + "/Rescale", Out("float", "scale"), node.Outputs.ToArray(), Array.Empty<OnnxAttribute>()));
        }
        g.Initializers.InsertRange(0, source.Initializers.Where(t => !replacedWeights.Contains(t.Name)));
        return new OnnxModel { Graph = g, Opset = fp32.Opset, IrVersion = fp32.IrVersion };
    }

    // Weight (in, out): one symmetric int8 scale per output column.
    static (sbyte[] Values, float[] Scales) QuantizeColumns(OnnxTensor weight)
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(weight.ToFloats()).reshape(weight.Dims);
        var observer = new PerChannelMinMaxObserver();
        observer.Observe(w.t());
        var p = observer.Compute();
        var q = torch.clamp(torch.round(w / torch.tensor(p.Scales).reshape(1, -1)), p.QuantMin, p.QuantMax).to(torch.int8);
        return (q.contiguous().data<sbyte>().ToArray(), p.Scales);
    }
}
