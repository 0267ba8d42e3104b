namespace Kindling.Data.Loading;

/// <summary>Deterministic seeds derived from a base seed and coordinates (epoch, position, index).</summary>
internal static class SamplerSeeds
{
    /// <summary>A 32-bit seed mixing all parts (SplitMix64 finaliser per part), stable across runs and machines.</summary>
    public static int Mix(long seed, params ReadOnlySpan<long> parts)
    {
        ulong h = Finalise((ulong)seed + 0x9E3779B97F4A7C15UL);
        foreach (var p in parts) h = Finalise(h ^ ((ulong)p + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2)));
        return (int)(h ^ (h >> 32));
    }

    /// <summary>
    /// The seed of one sample's transform generator: a function of (seed, epoch, position in the epoch, data set
    /// index) only. View 0 keeps the single-view seed, so a one-view transform draws exactly as a plain one; view
    /// v &gt; 0 mixes v in as a fifth part, independent of view 0 and of other samples.
    /// </summary>
    public static int ForSample(long seed, int epoch, int position, int index, int view = 0) =>
        view == 0 ? Mix(seed, epoch, position, index) : Mix(seed, epoch, position, index, view);

    /// <summary>A generator for one epoch of a sampler.</summary>
    public static Random ForEpoch(long seed, int epoch) => new(Mix(seed, epoch));

    static ulong Finalise(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
