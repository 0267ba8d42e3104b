using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Autograd;

/// <summary>tanh with a deliberately wrong backward (twice the true gradient): what gradcheck exists to catch.</summary>
sealed class DoubledTanhFunction : autograd.SingleTensorFunction<DoubledTanhFunction>
{
    public override string Name => "DoubledTanh";

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var y = tanh((Tensor)vars[0]);
        ctx.save_for_backward([y]);
        return y;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var y = ctx.get_saved_variables()[0];
        return [2 * grad_output * (1 - y * y)];
    }
}
