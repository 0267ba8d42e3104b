using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Autograd;

/// <summary>
/// Swish (x sigmoid(x)) written as a custom autograd function, the way docs/AUTOGRAD.md shows: its backward is built
/// from differentiable ops on the saved input, so double backward (gradgradcheck) works through it too.
/// </summary>
sealed class SwishFunction : autograd.SingleTensorFunction<SwishFunction>
{
    public override string Name => "Swish";

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        ctx.save_for_backward([x]);
        return x * sigmoid(x);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var x = ctx.get_saved_variables()[0];
        var s = sigmoid(x);
        return [grad_output * (s + x * s * (1 - s))];
    }
}
