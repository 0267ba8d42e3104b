using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Compression.Fusion;

/// <summary>
/// The arithmetic of folding an eval-mode BatchNorm into the convolution or linear layer before it
/// (PyTorch's <c>torch.nn.utils.fusion.fuse_conv_bn_weights</c> / <c>fuse_linear_bn_weights</c>):
/// BN(Wx + b) = γ(Wx + b − μ)/√(σ² + ε) + β = W'x + b' with
/// W' = W·s (s = γ/√(σ² + ε) per output channel) and b' = (b − μ)·s + β.
/// </summary>
public static class ConvBnFolding
{
    /// <summary>
    /// The folded weight and bias, new tensors in the weight's dtype (the inputs are not changed).
    /// Works for any layer whose weight has the output channel first: Conv1d/2d/3d (grouped and
    /// depthwise too) and Linear.
    /// </summary>
    /// <param name="weight">The layer's weight, output channels first ([out, in/groups, k...] or [out, in]).</param>
    /// <param name="bias">The layer's bias, or null for a bias-free layer (treated as zeros).</param>
    /// <param name="runningMean">BN's running mean μ.</param>
    /// <param name="runningVar">BN's running variance σ².</param>
    /// <param name="gamma">BN's scale γ, or null when BN is not affine (ones).</param>
    /// <param name="beta">BN's shift β, or null when BN is not affine (zeros).</param>
    /// <param name="eps">BN's ε.</param>
    /// <exception cref="ArgumentException">The BN statistics do not have one value per output channel.</exception>
    public static (Tensor Weight, Tensor Bias) Fold(Tensor weight, Tensor? bias, Tensor runningMean, Tensor runningVar,
        Tensor? gamma, Tensor? beta, double eps)
    {
        long channels = weight.shape[0];
        foreach (var (name, t) in new[] { ("running_mean", runningMean), ("running_var", runningVar), ("weight (gamma)", gamma), ("bias (beta)", beta) })
            if (t is not null && (t.dim() != 1 || t.shape[0] != channels))
                throw new ArgumentException($"BatchNorm {name} has shape [{string.Join(", ", t.shape)}]; the layer has {channels} output channels.");
        if (bias is not null && (bias.dim() != 1 || bias.shape[0] != channels))
            throw new ArgumentException($"The layer's bias has shape [{string.Join(", ", bias.shape)}]; expected [{channels}].");

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var dtype = weight.dtype;
        var mean = runningMean.to(dtype);
        var scale = (runningVar.to(dtype) + eps).rsqrt();
        if (gamma is not null) scale = scale * gamma.detach().to(dtype);
        var shape = new long[weight.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        var w = weight.detach() * scale.reshape(shape);
        var b = ((bias is null ? zeros_like(mean) : bias.detach().to(dtype)) - mean) * scale;
        if (beta is not null) b = b + beta.detach().to(dtype);
        return (w.MoveToOuterDisposeScope(), b.MoveToOuterDisposeScope());
    }
}
