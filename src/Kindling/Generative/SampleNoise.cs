using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Generative;

/// <summary>
/// Sampling noise drawn per image: image i of a call with seed s always gets the draws of its own generator (s, purpose, i),
/// so what <see cref="IImageGenerator.Generate"/> returns does not depend on its batch size or on how many images are asked for.
/// </summary>
public static class SampleNoise
{
    /// <summary>One libtorch generator per image <paramref name="first"/> .. <paramref name="first"/> + <paramref name="count"/> - 1.</summary>
    public static Generator[] Generators(long seed, string purpose, int first, int count) =>
        Enumerable.Range(first, count).Select(i => new Generator((ulong)Seeding.For(seed, purpose, i).NextInt64())).ToArray();

    /// <summary>Standard normal noise [generators.Length, ...shape], row i from generator i.</summary>
    public static Tensor Normal(Generator[] generators, long[] shape)
    {
        using var scope = NewDisposeScope();
        var rows = generators.Select(g => randn(shape, generator: g)).ToArray();
        return stack(rows).MoveToOuterDisposeScope();
    }

    /// <summary>Uniform [0, 1) noise [generators.Length, ...shape], row i from generator i.</summary>
    public static Tensor Uniform(Generator[] generators, long[] shape)
    {
        using var scope = NewDisposeScope();
        var rows = generators.Select(g => rand(shape, dtype: float64, generator: g)).ToArray();
        return stack(rows).MoveToOuterDisposeScope();
    }

    /// <summary>Disposes every generator.</summary>
    public static void Dispose(Generator[] generators)
    {
        foreach (var g in generators) g.Dispose();
    }
}
