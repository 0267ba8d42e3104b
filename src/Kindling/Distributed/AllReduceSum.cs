using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Distributed;

/// <summary>
/// A differentiable all-reduce: forward sums a tensor over the ranks; backward sums the incoming gradients over the ranks
/// too, since every rank's loss depends on the sum (the total loss's gradient with respect to this rank's input is the sum
/// of all ranks' gradients with respect to the shared sum). SyncBatchNorm's statistics go through it.
/// </summary>
sealed class AllReduceSum : autograd.SingleTensorFunction<AllReduceSum>
{
    public override string Name => nameof(AllReduceSum);

    /// <param name="ctx">The autograd context.</param>
    /// <param name="vars">The tensor, then the <see cref="ICommunicator"/>.</param>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var world = (ICommunicator)vars[1];
        ctx.save_data("world", world);
        return Sum((Tensor)vars[0], world);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output) =>
        [Sum(grad_output, (ICommunicator)ctx.get_data("world")), null!];

    static Tensor Sum(Tensor t, ICommunicator world)
    {
        var buffer = t.detach().to(float32, CPU).contiguous().clone();
        world.AllReduce(buffer, ReduceOp.Sum);
        return buffer.to(t.dtype, t.device);
    }
}
