using TorchSharp;

namespace Kindling.Runtime;

/// <summary>
/// One seed for a run. libtorch's generator (initialisation, dropout) is seeded directly; everything
/// Kindling draws on the managed side (data order, augmentation, batch mixing) derives its own
/// generator from (seed, purpose, counters), so results do not depend on thread scheduling.
/// </summary>
public static class Seeding
{
    /// <summary>Seeds libtorch's CPU and CUDA generators.</summary>
    public static void SeedTorch(long seed)
    {
        TorchRuntime.EnsureLoaded();
        torch.manual_seed(seed);
        if (torch.cuda.is_available()) torch.cuda.manual_seed_all(seed);
    }

    /// <summary>A generator for one purpose and position, e.g. (seed, "batch-mix", epoch, batch).</summary>
    public static Random For(long seed, string purpose, params long[] counters)
    {
        // FNV-1a over the parts: stable across runs and .NET versions (string.GetHashCode is not).
        ulong h = 14695981039346656037UL;
        void Mix(ulong v)
        {
            for (int i = 0; i < 8; i++)
            {
                h ^= (v >> (8 * i)) & 0xff;
                h *= 1099511628211UL;
            }
        }
        Mix((ulong)seed);
        foreach (var c in purpose) Mix(c);
        foreach (var c in counters) Mix((ulong)c);
        return new Random((int)(h ^ (h >> 32)));
    }
}
