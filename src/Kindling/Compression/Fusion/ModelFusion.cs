using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Compression.Fusion;

/// <summary>
/// Conv-BN(-ReLU) fusion for inference (the seeds' <c>torch.quantization.fuse_modules</c>, "in eval mode
/// ONLY"): every BatchNorm that directly follows a convolution or linear layer is folded into that layer's
/// weight and bias (<see cref="ConvBnFolding"/>) and replaced by an identity; activations stay where they
/// are, so a seed CNN block becomes conv(with bias) - identity - ReLU. The model is changed in place.
/// Which BatchNorm follows which layer is found by running the model once on a probe input of the given
/// shape (<see cref="Plan"/>); BatchNorms that cannot be folded (pre-activation, after a pooling, shared,
/// without running statistics) stay and are listed with the reason.
/// </summary>
public static class ModelFusion
{
    /// <summary>Why fusion refuses a model in training mode (the seeds' explanation).</summary>
    public const string TrainingModeRefusal =
        "Fusion is for inference: call model.eval() first. In training, BatchNorm normalizes each batch with that batch's " +
        "own mean and variance and updates its running statistics; folding it into the convolution freezes the running " +
        "statistics into fixed weights, so the per-batch normalization (and its stabilizing, regularizing effect) would be " +
        "gone and training would destabilize.";

    /// <summary>
    /// Which layer-BatchNorm pairs <see cref="Fuse{T}(T, long[])"/> would fold and which BatchNorms it would leave,
    /// found with one forward pass (plus one per suspect pair) on a random probe of shape [1, ..<paramref name="inputShape"/>].
    /// </summary>
    /// <param name="model">The model, in eval mode.</param>
    /// <param name="inputShape">One input's shape without the batch dimension, e.g. [3, 32, 32].</param>
    /// <exception cref="InvalidOperationException">The model is in training mode.</exception>
    public static FusionPlan Plan(nn.Module<Tensor, Tensor> model, long[] inputShape)
    {
        RefuseTraining(model);
        using var scope = NewDisposeScope();
        var device = model.parameters().FirstOrDefault()?.device ?? CPU;
        var probe = randn(new long[] { 1 }.Concat(inputShape).ToArray(), generator: new Generator(0)).to(device);
        return FusionTrace.Find(model, probe);
    }

    /// <summary>Fuses <paramref name="model"/> in place (see the class remarks) and returns it.</summary>
    /// <param name="model">The model, in eval mode.</param>
    /// <param name="inputShape">One input's shape without the batch dimension, e.g. [3, 32, 32].</param>
    /// <exception cref="InvalidOperationException">The model is in training mode.</exception>
    public static T Fuse<T>(T model, long[] inputShape) where T : nn.Module<Tensor, Tensor> => Fuse(model, Plan(model, inputShape));

    /// <summary>Folds the pairs of <paramref name="plan"/> (from <see cref="Plan"/> on this model) in place and returns the model.</summary>
    /// <exception cref="InvalidOperationException">The model is in training mode.</exception>
    /// <exception cref="ArgumentException">A pair does not name a convolution or linear layer and a BatchNorm of this model.</exception>
    public static T Fuse<T>(T model, FusionPlan plan) where T : nn.Module<Tensor, Tensor>
    {
        RefuseTraining(model);
        foreach (var pair in plan.Pairs)
        {
            using var scope = NewDisposeScope();
            var layer = ModuleSurgery.Get(model, pair.Layer);
            if (ModuleSurgery.Get(model, pair.Norm) is not BatchNorm bn)
                throw new ArgumentException($"'{pair.Norm}' is not a BatchNorm.", nameof(plan));
            if (!FusionTrace.IsFoldable(layer))
                throw new ArgumentException($"'{pair.Layer}' is a {layer.GetType().Name}, not a convolution or linear layer.", nameof(plan));
            if (bn.running_mean is null || bn.running_var is null)
                throw new ArgumentException($"'{pair.Norm}' has no running statistics to fold.", nameof(plan));
            if (layer.training || bn.training) throw new InvalidOperationException(TrainingModeRefusal);
            using var _ = no_grad();
            switch (layer)
            {
                case Convolution conv:
                {
                    var (w, b) = ConvBnFolding.Fold(conv.weight, conv.bias, bn.running_mean, bn.running_var, bn.weight, bn.bias, bn.eps);
                    conv.weight = new Parameter(w);
                    conv.bias = new Parameter(b);
                    break;
                }
                case Linear linear:
                {
                    var (w, b) = ConvBnFolding.Fold(linear.weight, linear.bias, bn.running_mean, bn.running_var, bn.weight, bn.bias, bn.eps);
                    linear.weight = new Parameter(w);
                    linear.bias = new Parameter(b);
                    break;
                }
            }
            ModuleSurgery.Replace(model, pair.Norm, nn.Identity()).Dispose();
        }
        return model;
    }

    static void RefuseTraining(nn.Module model)
    {
        if (model.training) throw new InvalidOperationException(TrainingModeRefusal);
    }
}
