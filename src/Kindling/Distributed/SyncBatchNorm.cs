using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Distributed;

/// <summary>
/// BatchNorm whose training statistics are the whole global batch's (PyTorch's SyncBatchNorm): each rank's per-channel
/// sums are all-reduced, then the sums of squared deviations from the global mean, so every rank normalizes with the
/// mean and variance the one-process batch would have; backward sums the statistics' gradients across ranks. Running
/// statistics follow the global ones (unbiased variance over the global count), so they stay equal on every rank. It
/// takes over a BatchNorm's own parameters and buffers under their names (weight, bias, running_mean, running_var,
/// num_batches_tracked): checkpoints load into the plain BatchNorm. Eval mode (and a world of one) is plain batch_norm
/// on the running statistics.
/// </summary>
public sealed class SyncBatchNorm : nn.Module<Tensor, Tensor>
{
    readonly ICommunicator world;
    // The BatchNorm replaced, held (not registered) so its finalizer cannot dispose the parameters and buffers it shares.
    readonly nn.Module original;
    readonly Parameter? weight, bias;
    readonly Tensor running_mean, running_var;
    readonly Tensor? num_batches_tracked;
    readonly double eps, momentum;

    /// <param name="norm">The BatchNorm (1d, 2d or 3d) to synchronise; its tensors are shared, not copied.</param>
    /// <param name="world">The ranks whose batches are one.</param>
    public SyncBatchNorm(nn.Module norm, ICommunicator world) : base(nameof(SyncBatchNorm))
    {
        this.world = world;
        original = norm;
        (weight, bias, var mean, var variance, num_batches_tracked, eps, var m, bool tracking) = norm switch
        {
            BatchNorm1d b => (b.weight, b.bias, b.running_mean, b.running_var, b.num_batches_tracked, b.eps, b.momentum, b.track_running_stats),
            BatchNorm2d b => (b.weight, b.bias, b.running_mean, b.running_var, b.num_batches_tracked, b.eps, b.momentum, b.track_running_stats),
            BatchNorm3d b => (b.weight, b.bias, b.running_mean, b.running_var, b.num_batches_tracked, b.eps, b.momentum, b.track_running_stats),
            _ => throw new ArgumentException($"SyncBatchNorm replaces BatchNorm1d/2d/3d, not {norm.GetType().Name}.", nameof(norm)),
        };
        if (!tracking || mean is null || variance is null || m is not double momentumValue)
            throw new NotSupportedException("SyncBatchNorm needs a BatchNorm that tracks running statistics with a momentum (PyTorch's default).");
        running_mean = mean;
        running_var = variance;
        momentum = momentumValue;
        if (weight is not null) register_parameter("weight", weight);
        if (bias is not null) register_parameter("bias", bias);
        register_buffer("running_mean", running_mean);
        register_buffer("running_var", running_var);
        if (num_batches_tracked is not null) register_buffer("num_batches_tracked", num_batches_tracked);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        if (!training || world.Size == 1) return nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps);
        long channels = x.shape[1];
        var dims = Enumerable.Range(0, (int)x.dim()).Where(d => d != 1).Select(d => (long)d).ToArray();
        var shape = Enumerable.Range(0, (int)x.dim()).Select(d => d == 1 ? channels : 1L).ToArray();
        // Statistics in fp32 whatever the compute type (autocast keeps batch norm in fp32 too).
        var xf = x.to(float32);
        var local = cat([xf.sum(dims), tensor(new[] { (float)(x.numel() / channels) }, device: x.device)]);
        var sums = AllReduceSum.apply(local, world);
        double count = sums[channels].item<float>();
        var mean = sums.narrow(0, 0, channels) / count;
        var centered = xf - mean.view(shape);
        // Two passes (the mean first, then squared deviations from it) rather than E[x^2] - E[x]^2, which cancels badly.
        var variance = AllReduceSum.apply(centered.square().sum(dims), world) / count;
        var y = centered * (variance + eps).rsqrt().view(shape);
        if (weight is not null) y = y * weight.to(float32).view(shape);
        if (bias is not null) y = y + bias.to(float32).view(shape);
        using (no_grad())
        {
            num_batches_tracked?.add_(1);
            running_mean.mul_(1 - momentum).add_(mean.detach().to(running_mean.dtype) * momentum);
            running_var.mul_(1 - momentum).add_(variance.detach().to(running_var.dtype) * (momentum * count / Math.Max(count - 1, 1)));
        }
        return y.to(x.dtype);
    }
}
