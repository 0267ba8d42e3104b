using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>
/// The shape journey of a model (the seeds' "Journey of a Matrix Transformation Through the Layers",
/// computed instead of written by hand): for each leaf layer in the order it runs, its name, type, output
/// shape, parameters and multiply-accumulates, and the totals. Made by one forward pass of a zero batch in
/// eval mode with hooks on every leaf.
/// <para>MACs are per sample. Convolution: output elements x (in_channels / groups) x kernel area. Linear:
/// output elements x in_features (in x out per token). BatchNorm, GroupNorm and LayerNorm: one per output
/// element (the affine normalization; BN folds into the convolution at inference). Average pooling: one
/// per input element. Attention (<see cref="ScaledDotProductAttention"/>): 2·N²·D for QKᵀ and the
/// weighted sum of V. Activations, max-pooling, dropout, reshapes and the element-wise products and sums
/// inside blocks (SE/ECA scaling, residual additions) count 0: they are memory-bound, not multiply-adds.</para>
/// <para>Activation memory is an estimate of what one training forward pass keeps for backward: the input
/// plus every leaf output that allocates new storage (in-place operations and views allocate none), times
/// the batch size and the element size.</para>
/// </summary>
public sealed class ModelSummary
{
    ModelSummary(IReadOnlyList<LayerSummary> layers, long[] inputShape, long parameters, long trainable, long activationBytes, IFeatureModel? features)
    {
        NumFeatures = features?.NumFeatures;
        NumClasses = features?.NumClasses;
        Layers = layers;
        InputShape = inputShape;
        TotalParameters = parameters;
        TrainableParameters = trainable;
        TotalMacs = layers.Sum(l => l.Macs);
        ActivationBytes = activationBytes;
    }

    /// <summary>Leaf layers in the order they ran.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>Input shape with the batch dimension, e.g. [1, 3, 32, 32].</summary>
    public long[] InputShape { get; }

    /// <summary>All parameters of the model.</summary>
    public long TotalParameters { get; }

    /// <summary>Parameters that require gradients.</summary>
    public long TrainableParameters { get; }

    /// <summary>Multiply-accumulates of one sample's forward pass.</summary>
    public long TotalMacs { get; }

    /// <summary>Estimated bytes of activations one forward pass of the whole batch keeps.</summary>
    public long ActivationBytes { get; }

    /// <summary>F of an <see cref="IFeatureModel"/> (every registry model): the width of the features its classifier reads; null for other models.</summary>
    public long? NumFeatures { get; }

    /// <summary>Classes of an <see cref="IFeatureModel"/>'s classifier, 0 when it is headless (the last layer then gives the features); null for other models.</summary>
    public int? NumClasses { get; }

    /// <summary>Runs one forward pass of zeros of shape (1, C, H, W) and reports shapes for <paramref name="batchSize"/>.</summary>
    /// <param name="model">The model; its training mode is restored afterwards.</param>
    /// <param name="inputChw">Input shape without the batch dimension, e.g. [3, 32, 32].</param>
    /// <param name="batchSize">Batch size for the shapes and the activation memory.</param>
    public static ModelSummary Of(nn.Module<Tensor, Tensor> model, long[] inputChw, int batchSize = 1)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        var layers = new List<LayerSummary>();
        long elementSize = model.parameters().FirstOrDefault()?.ElementSize ?? 4;
        long activationElements = inputChw.Aggregate(1L, (a, b) => a * b);
        bool wasTraining = model.training;
        using var scope = NewDisposeScope();
        var device = model.parameters().FirstOrDefault()?.device ?? CPU;
        var dtype = model.parameters().FirstOrDefault()?.dtype ?? float32;
        var input = zeros(new[] { 1L }.Concat(inputChw).ToArray(), dtype, device);
        model.eval();
        try
        {
            using var hooks = ForwardHooks.Register(model, (name, module, x, y) =>
            {
                long perSample = y.numel() / Math.Max(1, y.shape[0]);
                if (!SameStorage(x, y)) activationElements += perSample;
                var shape = (long[])y.shape.Clone();
                shape[0] = batchSize;
                long parameters = module.parameters().Sum(p => p.numel());
                layers.Add(new LayerSummary(name, module.GetType().Name, shape, parameters, Macs(module, x, y)));
            }, (_, m) => ForwardHooks.IsLeaf(m));
            using (no_grad()) model.call(input);
        }
        finally
        {
            model.train(wasTraining);
        }
        var all = model.parameters().ToList();
        return new ModelSummary(layers, new[] { (long)batchSize }.Concat(inputChw).ToArray(),
            all.Sum(p => p.numel()), all.Where(p => p.requires_grad).Sum(p => p.numel()),
            activationElements * batchSize * elementSize, model as IFeatureModel);
    }

    static bool SameStorage(Tensor x, Tensor y)
    {
        // TorchSharp exposes the storage pointer through typed storage only; summaries run in float32.
        if (x.dtype != float32 || y.dtype != float32) return false;
        return x.storage<float>().data_ptr() == y.storage<float>().data_ptr();
    }

    /// <summary>Multiply-accumulates of one leaf for one sample, by the rules in the class remarks.</summary>
    static long Macs(nn.Module module, Tensor input, Tensor output)
    {
        long batch = Math.Max(1, output.shape[0]);
        long outPerSample = output.numel() / batch;
        switch (module)
        {
            case Conv1d or Conv2d or Conv3d:
                var w = module.parameters().First(); // weight first: (out, in/groups, k...)
                return outPerSample * (w.numel() / w.shape[0]);
            case Linear linear:
                return outPerSample * linear.weight.shape[1];
            case BatchNorm1d or BatchNorm2d or GroupNorm or LayerNorm:
                return outPerSample;
            case AdaptiveAvgPool2d or AvgPool2d:
                return input.numel() / Math.Max(1, input.shape[0]);
            case ScaledDotProductAttention:
                long tokens = output.shape[1], dim = output.shape[2];
                return 2 * tokens * tokens * dim;
            default:
                return 0;
        }
    }
}
