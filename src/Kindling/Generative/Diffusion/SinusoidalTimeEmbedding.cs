using static TorchSharp.torch;

namespace Kindling.Generative.Diffusion;

/// <summary>
/// The Transformer's sinusoidal position encoding of a timestep, as DDPM uses it: for t and i &lt; d/2,
/// [sin(t * f_i), cos(t * f_i)] with f_i = 10000^(-i / (d/2)). No parameters; the MLP after it learns what to make of it.
/// </summary>
public static class SinusoidalTimeEmbedding
{
    /// <summary>The embedding [N, <paramref name="dim"/>] of timesteps [N] (float, 0 .. T-1).</summary>
    public static Tensor Embed(Tensor timesteps, int dim)
    {
        if (dim < 2 || dim % 2 != 0) throw new ArgumentException($"time embedding width {dim}: expected an even number >= 2.", nameof(dim));
        using var scope = NewDisposeScope();
        int half = dim / 2;
        var frequencies = exp(arange(half, dtype: float32, device: timesteps.device) * (-Math.Log(10000) / half));
        var arguments = timesteps.to(float32).unsqueeze(1) * frequencies.unsqueeze(0);
        return cat([arguments.sin(), arguments.cos()], 1).MoveToOuterDisposeScope();
    }
}
