using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Autograd;

/// <summary>
/// Clamp to [-1, 1] with a hand-written backward that lets the gradient through where the input is inside the range
/// (a mask saved in forward, as a straight-through estimator stores it): correct wherever the clamp is differentiable.
/// </summary>
sealed class StraightThroughClampFunction : autograd.SingleTensorFunction<StraightThroughClampFunction>
{
    public override string Name => "StraightThroughClamp";

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        ctx.save_for_backward([(x.abs() <= 1).to(x.dtype)]);
        return x.clamp(-1, 1);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output) =>
        [grad_output * ctx.get_saved_variables()[0]];
}
