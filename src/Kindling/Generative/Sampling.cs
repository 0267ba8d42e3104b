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

    /// <summary>Standard normal noise [count, width] from a generator seeded by <paramref name="seed"/> (drawn on the CPU, so every device gets the same numbers).</summary>
    public static Tensor Noise(long count, long width, long seed) => randn([count, width], generator: new Generator((ulong)seed));

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
