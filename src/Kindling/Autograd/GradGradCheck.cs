using static TorchSharp.torch;

namespace Kindling.Autograd;

/// <summary>
/// PyTorch's <c>torch.autograd.gradgradcheck</c>: <see cref="GradCheck"/> applied to the function's backward, i.e. to
/// (inputs, grad_outputs) -> the gradients of the outputs with respect to the inputs that require grad, computed with
/// create_graph so that they are differentiable. That checks second derivatives: what a gradient penalty (WGAN-GP), a
/// Hessian-vector product or double backward through a custom function relies on.
/// </summary>
/// <remarks>
/// The random grad_outputs are uniform in [-1, 1) as PyTorch's (make_tensor with low -1, high 1), drawn from a
/// generator seeded by <see cref="GradCheckOptions.Seed"/> so a failure repeats; they are not PyTorch's exact draws.
/// </remarks>
public static class GradGradCheck
{
    /// <summary>Checks second derivatives of a function of one tensor.</summary>
    public static bool Check(Func<Tensor, Tensor> function, Tensor input, GradCheckOptions? options = null) =>
        Check(x => [function(x[0])], [input], null, options);

    /// <param name="function">Maps the inputs to one or more outputs; called many times.</param>
    /// <param name="inputs">float64 contiguous tensors; those with requires_grad are checked.</param>
    /// <param name="gradOutputs">One per output that requires grad (float64, requires_grad); null: random, seeded by the options.</param>
    /// <param name="options">Tolerances and behaviour; null: PyTorch's defaults.</param>
    /// <returns>True when every check passes; false on failure when <see cref="GradCheckOptions.RaiseException"/> is off.</returns>
    /// <exception cref="GradCheckException">A check failed: inputs are numbered as the inputs then the grad_outputs that require grad.</exception>
    public static bool Check(Func<Tensor[], Tensor[]> function, Tensor[] inputs, Tensor[]? gradOutputs = null, GradCheckOptions? options = null)
    {
        var o = options ?? new GradCheckOptions();
        GradCheck.ValidateInputs(inputs);
        using var scope = NewDisposeScope();
        if (gradOutputs is null)
        {
            var generator = new Generator((ulong)o.Seed);
            gradOutputs = function(inputs).Where(t => t.requires_grad)
                .Select(t => (rand(t.shape, ScalarType.Float64, generator: generator) * 2 - 1).to(t.device).requires_grad_(true))
                .ToArray();
        }
        int count = gradOutputs.Length;
        Tensor[] Backward(Tensor[] args)
        {
            var ins = args[..^count];
            var outputs = function(ins).Where(t => t.requires_grad).ToArray();
            var differentiable = ins.Where(x => x.requires_grad).ToArray();
            // retain_graph: TorchSharp passes false unless told (PyTorch defaults it to create_graph), and gradcheck
            // differentiates these gradients once per output element.
            var grads = autograd.grad(outputs, differentiable, args[^count..], retain_graph: true, create_graph: true, allow_unused: true);
            return grads.Where(g => g is not null && !g.IsInvalid).ToArray();
        }
        return GradCheck.Check(Backward, [.. inputs, .. gradOutputs], o);
    }
}
