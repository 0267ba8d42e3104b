using Kindling.Export.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Compression.Quantization;

/// <summary>
/// Post-training static quantization of an exported float model: runs calibration batches through it
/// in ONNX Runtime with every tensor of the <see cref="QdqQuantizer.Plan"/> exposed as an extra output,
/// feeds each to an observer, and writes the QDQ model with the resulting activation parameters
/// (uint8 asymmetric, per tensor) and per-channel int8 weights.
/// </summary>
public static class StaticQuantization
{
    /// <summary>The QDQ model of <paramref name="fp32"/> calibrated on <paramref name="calibration"/>.</summary>
    /// <param name="fp32">A float model from <see cref="OnnxExporter"/>, the BatchNorms that follow convolutions folded into them.</param>
    /// <param name="calibration">Input batches (normalized like the model's training data).</param>
    /// <param name="options">Observer and threads.</param>
    /// <exception cref="ArgumentException">A BatchNormalization still follows a convolution, or no calibration batch was given.</exception>
    public static OnnxModel Quantize(OnnxModel fp32, IEnumerable<Tensor> calibration, StaticQuantizationOptions? options = null)
    {
        options ??= new StaticQuantizationOptions();
        if (QdqQuantizer.UnfoldedBatchNorm(fp32.Graph) is { } bn)
            throw new ArgumentException($"'{bn.Name}' follows a convolution: fold BatchNorm into the convolutions first (ModelFusion.Fuse) so the weights are quantized as they are used.", nameof(fp32));
        var plan = QdqQuantizer.Plan(fp32.Graph);
        var parameters = Calibrate(fp32, plan.Observed, calibration, () => options.Observer switch
        {
            ObserverKind.Percentile => new PercentileObserver(options.Percentile),
            _ => new MinMaxObserver(),
        }, options.IntraOpThreads);
        return QdqQuantizer.Apply(fp32, plan, parameters);
    }

    /// <summary>Observes <paramref name="tensors"/> of <paramref name="model"/> over the batches and returns each one's parameters.</summary>
    public static Dictionary<string, QuantParams> Calibrate(OnnxModel model, IReadOnlyList<string> tensors, IEnumerable<Tensor> batches, Func<IObserver> observer, int intraOpThreads = 0)
    {
        var graph = new OnnxGraph { Name = model.Graph.Name };
        graph.Nodes.AddRange(model.Graph.Nodes);
        graph.Initializers.AddRange(model.Graph.Initializers);
        graph.Inputs.AddRange(model.Graph.Inputs);
        graph.Outputs.AddRange(tensors.Select(t => new OnnxValueInfo(t, OnnxDataType.Float, Array.Empty<long?>(), Array.Empty<string?>())));
        var exposed = new OnnxModel { Graph = graph, Opset = model.Opset, IrVersion = model.IrVersion };
        using var session = new OnnxRuntimeModel(exposed.ToBytes(), intraOpThreads);
        var observers = tensors.ToDictionary(t => t, _ => observer());
        int seen = 0;
        foreach (var batch in batches)
        {
            using var scope = torch.NewDisposeScope();
            var outputs = session.RunAll(batch);
            for (int i = 0; i < tensors.Count; i++) observers[session.OutputNames[i]].Observe(outputs[i]);
            seen++;
        }
        if (seen == 0) throw new ArgumentException("Calibration needs at least one batch.", nameof(batches));
        return observers.ToDictionary(o => o.Key, o => o.Value.Compute());
    }
}
