using Kindling.Export.Onnx;
using TorchSharp;
using static Kindling.Export.Onnx.OnnxAttribute;

namespace Kindling.Compression.Quantization;

/// <summary>
/// Rewrites a float ONNX graph into the QDQ form ONNX Runtime turns into INT8 kernels: a
/// QuantizeLinear/DequantizeLinear pair on each quantized activation (per tensor, uint8 asymmetric),
/// DequantizeLinear on int8 per-channel symmetric weights and int32 biases. Which activations: the input
/// of every Conv and MatMul with a constant weight, and every Conv's output (after its ReLU/Clip when one
/// follows, which ONNX Runtime then drops into the quantized range), so Conv nodes become QLinearConv;
/// outputs of MaxPool, Flatten and Reshape share their input's parameters. MatMul outputs (followed by
/// their bias Add) stay float: ONNX Runtime runs those as MatMulIntegerToFloat. Everything else stays float.
/// </summary>
public static class QdqQuantizer
{
    static readonly HashSet<string> PassThrough = new() { "MaxPool", "Flatten", "Reshape" };

    /// <summary>Which tensors of <paramref name="graph"/> the QDQ model quantizes.</summary>
    public static QdqPlan Plan(OnnxGraph graph)
    {
        var constants = graph.Initializers.Select(t => t.Name).ToHashSet();
        var outputs = graph.Outputs.Select(o => o.Name).ToHashSet();
        var consumers = Consumers(graph);
        var observed = new List<string>();
        var seen = new HashSet<string>();
        var weighted = new List<string>();
        void Observe(string t)
        {
            if (!constants.Contains(t) && !outputs.Contains(t) && seen.Add(t)) observed.Add(t);
        }
        foreach (var n in graph.Nodes.Where(n => IsWeighted(n, constants)))
        {
            weighted.Add(n.Name);
            Observe(n.Inputs[0]);
            if (n.OpType != "Conv") continue;
            var y = n.Outputs[0];
            if (consumers.TryGetValue(y, out var next) && next.Count == 1 && next[0].OpType is "Relu" or "Clip") y = next[0].Outputs[0];
            Observe(y);
        }
        // Graph order: an observed input is known before anything passes it through.
        var order = graph.Nodes.SelectMany(n => n.Outputs).Prepend(graph.Inputs[0].Name).Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);
        observed.Sort((a, b) => order.GetValueOrDefault(a).CompareTo(order.GetValueOrDefault(b)));
        var shared = new Dictionary<string, string>();
        foreach (var n in graph.Nodes.Where(n => PassThrough.Contains(n.OpType)))
        {
            var x = n.Inputs[0];
            string? source = shared.GetValueOrDefault(x) ?? (seen.Contains(x) ? x : null);
            if (source is null || outputs.Contains(n.Outputs[0])) continue;
            // Even when the next convolution would observe it, a pooled tensor takes its input's parameters:
            // ONNX Runtime only runs MaxPool on 8-bit values when both sides share them.
            shared[n.Outputs[0]] = source;
            observed.Remove(n.Outputs[0]);
        }
        return new QdqPlan(observed, shared, weighted);
    }

    /// <summary>
    /// The QDQ model: <paramref name="model"/>'s graph with the plan's activations quantized by
    /// <paramref name="activations"/> (parameters per observed tensor) and its weights per channel.
    /// </summary>
    /// <exception cref="ArgumentException">An observed tensor has no parameters.</exception>
    public static OnnxModel Apply(OnnxModel model, QdqPlan plan, IReadOnlyDictionary<string, QuantParams> activations)
    {
        var source = model.Graph;
        var g = new OnnxGraph { Name = source.Name };
        g.Inputs.AddRange(source.Inputs);
        g.Outputs.AddRange(source.Outputs);
        var names = new HashSet<string>(source.Initializers.Select(t => t.Name).Concat(source.Nodes.SelectMany(n => n.Outputs)));
        string Unique(string stem)
        {
            var name = stem;
            for (int i = 1; !names.Add(name); i++) name = $"{stem}_{i}";
            return name;
        }
        QuantParams ParamsOf(string t)
        {
            var key = plan.SharedWith.GetValueOrDefault(t, t);
            return activations.TryGetValue(key, out var p) ? p : throw new ArgumentException($"No quantization parameters for activation '{key}'.", nameof(activations));
        }

        // Activations: tensor -> its dequantized replacement, with the Q/DQ nodes to place after its producer.
        var replaced = new Dictionary<string, string>();
        var after = new Dictionary<string, List<OnnxNode>>();
        foreach (var t in plan.Observed.Concat(plan.SharedWith.Keys))
        {
            var p = ParamsOf(t);
            var scale = Unique(t + "_scale");
            var zero = Unique(t + "_zero_point");
            g.Initializers.Add(OnnxTensor.FromFloats(scale, Array.Empty<long>(), p.Scales));
            g.Initializers.Add(p.Signed
                ? OnnxTensor.FromInt8s(zero, Array.Empty<long>(), new[] { (sbyte)p.ZeroPoints[0] })
                : OnnxTensor.FromUInt8s(zero, Array.Empty<long>(), new[] { (byte)p.ZeroPoints[0] }));
            var q = Unique(t + "_quantized");
            var dq = Unique(t + "_dequantized");
            after[t] = new List<OnnxNode>
            {
                new("QuantizeLinear", Unique(t + "/QuantizeLinear"), new[] { t, scale, zero }, new[] { q }, Array.Empty<OnnxAttribute>()),
                new("DequantizeLinear", Unique(t + "/DequantizeLinear"), new[] { q, scale, zero }, new[] { dq }, Array.Empty<OnnxAttribute>()),
            };
            replaced[t] = dq;
        }

        var weighted = plan.Weighted.ToHashSet();
        var quantizedWeights = new HashSet<string>();
        var weightNodes = new List<OnnxNode>();
        // The graph input's Q/DQ come first.
        if (after.TryGetValue(source.Inputs[0].Name, out var first)) g.Nodes.AddRange(first);
        foreach (var node in source.Nodes)
        {
            var inputs = node.Inputs.Select(i => replaced.GetValueOrDefault(i, i)).ToArray();
            if (weighted.Contains(node.Name))
            {
                var weight = source.Initializer(node.Inputs[1])!;
                bool conv = node.OpType == "Conv";
                var (wq, wScales) = QuantizeWeight(g, weightNodes, weight, conv ? 0 : 1, Unique);
                quantizedWeights.Add(weight.Name);
                inputs[1] = wq;
                if (conv && node.Inputs.Count > 2 && node.Inputs[2].Length > 0)
                {
                    quantizedWeights.Add(node.Inputs[2]);
                    inputs[2] = QuantizeBias(g, weightNodes, source.Initializer(node.Inputs[2])!, ParamsOf(node.Inputs[0]).Scales[0], wScales, Unique);
                }
            }
            g.Nodes.Add(node with { Inputs = inputs });
            foreach (var o in node.Outputs)
                if (after.TryGetValue(o, out var pair)) g.Nodes.AddRange(pair);
        }
        // Weight and bias DequantizeLinear nodes depend on constants only: they go first.
        g.Nodes.InsertRange(0, weightNodes);
        g.Initializers.InsertRange(0, source.Initializers.Where(t => !quantizedWeights.Contains(t.Name)));
        return new OnnxModel { Graph = g, Opset = model.Opset, IrVersion = model.IrVersion };
    }

    /// <summary>
    /// The first BatchNormalization that directly follows a convolution, or null. Such a BatchNorm must be
    /// folded before quantizing (the weights have to be quantized as they are used); BatchNorms elsewhere
    /// (after a pooling, pre-activation) stay float.
    /// </summary>
    public static OnnxNode? UnfoldedBatchNorm(OnnxGraph graph)
    {
        var convOutputs = graph.Nodes.Where(n => n.OpType == "Conv").Select(n => n.Outputs[0]).ToHashSet();
        return graph.Nodes.FirstOrDefault(n => n.OpType == "BatchNormalization" && convOutputs.Contains(n.Inputs[0]));
    }

    /// <summary>Whether the node multiplies by a constant weight (a Conv, or a MatMul whose second input is an initializer).</summary>
    public static bool IsWeighted(OnnxNode n, ISet<string> constants) =>
        n.OpType is "Conv" or "MatMul" && n.Inputs.Count > 1 && constants.Contains(n.Inputs[1]);

    static (string Dequantized, float[] Scales) QuantizeWeight(OnnxGraph g, List<OnnxNode> nodes, OnnxTensor weight, int axis, Func<string, string> unique)
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(weight.ToFloats()).reshape(weight.Dims);
        var perChannel = axis == 0 ? w : w.transpose(0, 1);
        var observer = new PerChannelMinMaxObserver();
        observer.Observe(perChannel);
        var p = observer.Compute();
        var shape = Enumerable.Repeat(1L, weight.Dims.Length).ToArray();
        shape[axis] = p.Scales.Length;
        var q = torch.clamp(torch.round(w / torch.tensor(p.Scales).reshape(shape)), p.QuantMin, p.QuantMax).to(torch.int8);
        var qName = unique(weight.Name + "_quantized");
        var scale = unique(weight.Name + "_scale");
        var zero = unique(weight.Name + "_zero_point");
        g.Initializers.Add(OnnxTensor.FromInt8s(qName, weight.Dims, q.contiguous().data<sbyte>().ToArray()));
        g.Initializers.Add(OnnxTensor.FromFloats(scale, new long[] { p.Scales.Length }, p.Scales));
        g.Initializers.Add(OnnxTensor.FromInt8s(zero, new long[] { p.Scales.Length }, new sbyte[p.Scales.Length]));
        var dq = unique(weight.Name + "_dequantized");
        nodes.Add(new OnnxNode("DequantizeLinear", unique(weight.Name + "/DequantizeLinear"), new[] { qName, scale, zero }, new[] { dq }, new[] { Of("axis", (long)axis) }));
        return (dq, p.Scales);
    }

    // ONNX Runtime's QLinearConv takes an int32 bias in units of input scale x weight scale (zero point 0).
    static string QuantizeBias(OnnxGraph g, List<OnnxNode> nodes, OnnxTensor bias, float inputScale, float[] weightScales, Func<string, string> unique)
    {
        var b = bias.ToFloats();
        var scales = weightScales.Select(s => inputScale * s).ToArray();
        var q = b.Select((v, i) => (int)Math.Clamp(MathF.Round(v / scales[i], MidpointRounding.ToEven), int.MinValue, int.MaxValue)).ToArray();
        var qName = unique(bias.Name + "_quantized");
        var scale = unique(bias.Name + "_scale");
        var zero = unique(bias.Name + "_zero_point");
        g.Initializers.Add(OnnxTensor.FromInt32s(qName, bias.Dims, q));
        g.Initializers.Add(OnnxTensor.FromFloats(scale, new long[] { scales.Length }, scales));
        g.Initializers.Add(OnnxTensor.FromInt32s(zero, new long[] { scales.Length }, new int[scales.Length]));
        var dq = unique(bias.Name + "_dequantized");
        nodes.Add(new OnnxNode("DequantizeLinear", unique(bias.Name + "/DequantizeLinear"), new[] { qName, scale, zero }, new[] { dq }, new[] { Of("axis", 0L) }));
        return dq;
    }

    static Dictionary<string, List<OnnxNode>> Consumers(OnnxGraph g)
    {
        var map = new Dictionary<string, List<OnnxNode>>();
        foreach (var n in g.Nodes)
            foreach (var i in n.Inputs)
                (map.TryGetValue(i, out var list) ? list : map[i] = new List<OnnxNode>()).Add(n);
        return map;
    }
}
