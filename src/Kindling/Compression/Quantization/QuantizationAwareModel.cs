using Kindling.Export.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Compression.Quantization;

/// <summary>
/// Quantization-aware training (Jacob et al. 2018) for a model whose BatchNorms are folded: wraps it so
/// that its forward sees exactly the rounding of the QDQ model <see cref="QdqQuantizer"/> would write. Every
/// activation the QDQ plan quantizes is fake-quantized where the module that outputs it returns (forward
/// hooks), with a moving-average observer while training and frozen parameters in eval; every quantized
/// Conv and Linear computes with its weight fake-quantized per output channel (symmetric int8). Gradients
/// pass straight through the rounding. <see cref="ToOnnx"/> writes the QDQ model with the learned
/// activation scales. Train it like any model (Trainer.Fit); the wrapped model keeps its own parameters.
/// </summary>
public sealed class QuantizationAwareModel : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> model;
    readonly long[] chw;
    readonly QdqPlan plan;
    readonly Dictionary<string, FakeQuantizer> activations = new();
    readonly List<Action> removeHooks = new();
    bool observing;

    /// <param name="model">The float model, BatchNorms folded (ModelFusion.Fuse); it is trained in place.</param>
    /// <param name="inputShapeCHW">The input shape (C, H, W) the QDQ model is exported for.</param>
    /// <exception cref="ArgumentException">A BatchNorm is left, or a quantized activation is not any module's output.</exception>
    public QuantizationAwareModel(nn.Module<Tensor, Tensor> model, long[] inputShapeCHW) : base(nameof(QuantizationAwareModel))
    {
        this.model = model;
        chw = inputShapeCHW;
        var fp32 = OnnxExporter.ToModel(model, chw);
        if (QdqQuantizer.UnfoldedBatchNorm(fp32.Graph) is { } bn)
            throw new ArgumentException($"'{bn.Name}' follows a convolution: quantization-aware training needs BatchNorm folded into the convolutions first (ModelFusion.Fuse).", nameof(model));
        plan = QdqQuantizer.Plan(fp32.Graph);
        InputName = fp32.Graph.Inputs[0].Name;
        RegisterComponents();

        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var observedAt = new Dictionary<string, string>();
        foreach (var t in plan.Observed)
        {
            activations[t] = new FakeQuantizer();
            if (t == InputName) continue;
            var path = fp32.ModuleOutputs.Where(m => m.Value == t && m.Key.Length > 0).Select(m => m.Key).OrderByDescending(k => k.Length).FirstOrDefault()
                ?? throw new ArgumentException($"The quantized activation '{t}' is computed inside a module, not returned by one: QAT cannot place its fake quantization.", nameof(model));
            observedAt[path] = t;
        }
        var weightedAt = plan.Weighted.Select(n => n[..n.LastIndexOf('/')]).ToHashSet();
        foreach (var path in observedAt.Keys.Union(weightedAt))
        {
            if (modules[path] is not nn.Module<Tensor, Tensor> hookable)
                throw new ArgumentException($"'{path}' is not a single-tensor module.", nameof(model));
            bool weighted = weightedAt.Contains(path);
            var activation = observedAt.TryGetValue(path, out var t) ? activations[t] : null;
            var handle = hookable.register_forward_hook((m, input, output) =>
            {
                if (weighted) output = WithQuantizedWeight(m, input);
                return activation is null ? output : activation.Apply(output, m.training || observing);
            });
            removeHooks.Add(handle.remove);
        }
    }

    /// <summary>The wrapped model (trained in place).</summary>
    public nn.Module<Tensor, Tensor> Model => model;

    /// <summary>Name of the graph input (its fake quantization is applied in this module's forward).</summary>
    public string InputName { get; }

    /// <summary>The QDQ plan whose activations are fake-quantized.</summary>
    public QdqPlan Plan => plan;

    /// <summary>Sets the activation parameters from <paramref name="batches"/> before training (eval mode, no gradients).</summary>
    public void Calibrate(IEnumerable<Tensor> batches)
    {
        bool wasTraining = training;
        eval();
        observing = true;
        try
        {
            using var _ = torch.no_grad();
            foreach (var b in batches)
            {
                using var scope = torch.NewDisposeScope();
                call(b);
            }
        }
        finally
        {
            observing = false;
            train(wasTraining);
        }
    }

    /// <summary>The learned parameters of every quantized activation.</summary>
    public IReadOnlyDictionary<string, QuantParams> ActivationParams => activations.ToDictionary(a => a.Key, a => a.Value.Params);

    /// <summary>The QDQ ONNX model with the learned activation scales and the trained weights quantized per channel.</summary>
    public OnnxModel ToOnnx()
    {
        bool wasTraining = training;
        eval();
        try
        {
            return QdqQuantizer.Apply(OnnxExporter.ToModel(model, chw), plan, ActivationParams);
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var x = activations.TryGetValue(InputName, out var q) ? q.Apply(input, training || observing) : input;
        return model.call(x);
    }

    static Tensor WithQuantizedWeight(nn.Module m, Tensor input)
    {
        switch (m)
        {
            case Conv2d conv:
                return nn.functional.conv2d(input, FakeQuantizedWeight(conv.weight), conv.bias, conv.stride, conv.padding, conv.dilation, conv.groups);
            case Linear linear:
                return nn.functional.linear(input, FakeQuantizedWeight(linear.weight), linear.bias);
            default:
                throw new NotSupportedException($"QAT fake-quantizes Conv2d and Linear weights, not {m.GetType().Name}.");
        }
    }

    // Per output channel, symmetric int8 from the current weights: the same parameters the export computes.
    static Tensor FakeQuantizedWeight(Tensor w)
    {
        var observer = new PerChannelMinMaxObserver();
        observer.Observe(w);
        return QuantMath.FakeQuantize(w, observer.Compute(), axis: 0);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            foreach (var remove in removeHooks) remove();
        removeHooks.Clear();
        base.Dispose(disposing);
    }
}
