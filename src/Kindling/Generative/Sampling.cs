using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Generative;

/// <summary>What the generators share when they sample: eval and inference mode for the call, noise from a seeded generator of its own, chunked forwards.</summary>
internal static class Sampling
{
    /// <summary>
    /// Runs <paramref name="body"/> with <paramref name="module"/> in eval mode (every submodule's mode put back after: ModuleModes) under inference mode
    /// in a dispose scope, given the modules' device and compute type; returns the result as float32 on the CPU, outliving the scope.
    /// </summary>
    public static Tensor Run(nn.Module module, Func<Device, ScalarType, Tensor> body)
    {
        using var modes = new ModuleModes([module]);
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        // Under mixed precision the modules compute in 16 bits: inputs follow the first parameter's type.
        var first = module.parameters().FirstOrDefault();
        return body(first?.device ?? CPU, first?.dtype ?? float32).to(float32).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Standard normal noise [count, width] from a generator seeded by <paramref name="seed"/> (drawn on the CPU, so every device gets
    /// the same numbers); with <paramref name="truncation"/>, entries beyond it in magnitude are drawn again until none is.
    /// </summary>
    public static Tensor Noise(long count, long width, long seed, double? truncation = null)
    {
        if (truncation is <= 0 || truncation is double t0 && !double.IsFinite(t0))
            throw new ArgumentOutOfRangeException(nameof(truncation), truncation, "the truncation must be a finite number > 0 (BigGAN's range: 0.04 to 2), or null for none.");
        var generator = new Generator((ulong)seed);
        var z = randn([count, width], generator: generator);
        if (truncation is not double t) return z;
        // Redraw only the entries outside [-t, t]: the others keep the plain draw's values, and the result is a truncated normal.
        for (var outside = z.abs() > t; outside.any().item<bool>(); outside = z.abs() > t)
            z = where(outside, randn([count, width], generator: generator), z);
        return z;
    }

    /// <summary><paramref name="forward"/> over <paramref name="rows"/> rows in chunks of <paramref name="batchSize"/>, concatenated on the CPU.</summary>
    public static Tensor Chunked(long rows, int batchSize, Func<long, long, Tensor> forward)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the generation batch size must be at least 1.");
        var parts = new List<Tensor>();
        for (long start = 0; start < rows; start += batchSize)
            parts.Add(forward(start, Math.Min(batchSize, rows - start)).to(float32).cpu());
        return cat(parts, 0);
    }
}
