using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Generative.Gan;

/// <summary>
/// WGAN-GP's gradient penalty (Gulrajani et al. 2017; seed 004's <c>gradient_penalty</c>): E[(||grad_x D(x_hat)||_2 - 1)^2] at
/// x_hat = alpha * real + (1 - alpha) * fake, alpha ~ U(0, 1) per sample. The gradient comes from autograd.grad with
/// create_graph, so the penalty's own gradient reaches the critic's weights (a double backward).
/// </summary>
public static class GradientPenalty
{
    /// <summary>The penalty with alpha drawn from libtorch's global generator (what training uses, so resume restores it).</summary>
    public static Tensor Compute(Func<Tensor, Tensor> critic, Tensor real, Tensor fake) =>
        Compute(critic, real, fake, rand([real.shape[0], 1, 1, 1], dtype: real.dtype, device: real.device));

    /// <summary>The penalty at the given interpolation weights <paramref name="alpha"/> ([N, 1, 1, 1] or [N]).</summary>
    /// <param name="critic">Images to scores [N, 1].</param>
    /// <param name="real">Real images [N, C, H, W].</param>
    /// <param name="fake">Generated images, same shape (detached: the critic's step does not train the generator).</param>
    /// <param name="alpha">Per-sample weights of the real images.</param>
    public static Tensor Compute(Func<Tensor, Tensor> critic, Tensor real, Tensor fake, Tensor alpha)
    {
        if (!real.shape.SequenceEqual(fake.shape))
            throw new ArgumentException($"real [{string.Join(", ", real.shape)}] and fake [{string.Join(", ", fake.shape)}] images must have the same shape.");
        var a = alpha.reshape(real.shape[0], 1, 1, 1).to(real.dtype);
        var between = (a * real.detach() + (1 - a) * fake.detach()).requires_grad_(true);
        var scores = critic(between);
        // grad_outputs of ones, as the seed: the gradient of each sample's own score (samples do not interact without batch norm).
        var gradient = torch.autograd.grad([scores], [between], [ones_like(scores)], retain_graph: true, create_graph: true)[0];
        var norms = gradient.to(float32).reshape(real.shape[0], -1).norm(1, false, 2);
        return (norms - 1).square().mean();
    }
}
