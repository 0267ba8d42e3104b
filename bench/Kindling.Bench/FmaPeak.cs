using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Kindling.Runtime;

namespace Kindling.Bench;

/// <summary>
/// `kindling bench peak`: the CPU's fp32 fused multiply-add throughput, the ceiling no kernel can pass. Each thread
/// runs twelve independent FMA chains (enough to cover the FMA latency on every pipe) in the widest vectors the
/// CPU has (AVX-512, else AVX2+FMA), so the count is the hardware's, not a library's: a 2048^2 matmul
/// (<see cref="StepBenchmarks.Matmul"/>) is one BLAS call's rate and convolutions can exceed it.
/// </summary>
public static class FmaPeak
{
    const int Chains = 12;
    const long Iterations = 100_000_000; // ~150 ms a step at 4 GHz: thread start-up is noise

    /// <summary>The vector width used, in floats (16 with AVX-512, 8 with AVX2+FMA), or 0 when the CPU has neither.</summary>
    public static int Lanes => Avx512F.IsSupported ? 16 : Fma.IsSupported ? 8 : 0;

    /// <summary>GFLOP/s over the timed steps, one step = every thread running its chains <see cref="Iterations"/> times.</summary>
    public static BenchResult Run(BenchSettings s)
    {
        if (Lanes == 0) throw new PlatformNotSupportedException("The FMA peak needs an x86-64 CPU with FMA (AVX2) or AVX-512.");
        int threads = s.Threads > 0 ? s.Threads : Environment.ProcessorCount;
        var clock = new PhaseClock();
        var gc = GcActivity.Snapshot();
        for (int i = -s.Warmup; i < s.Steps; i++)
        {
            if (i == 0) { gc = GcActivity.Snapshot(); clock.Start(); }
            Step(threads);
            if (i >= 0) { clock.Forward(); clock.EndStep(); }
        }
        clock.Stop();
        double flops = 2.0 * Lanes * Chains * Iterations * threads;
        return new BenchResult("peak", s with { Threads = threads }, 0, 0, clock.Steps, 0, clock.Seconds, 0, clock.Split(), 0,
            flops * clock.Steps / clock.Seconds / 1e9, ProcessMemory.PeakMiB(), GcActivity.Since(gc));
    }

    static void Step(int threads)
    {
        var sink = new float[threads];
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() => sink[t] = Avx512F.IsSupported ? Chains512(t) : Chains256(t))).ToList();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        if (sink.Any(float.IsNaN)) throw new InvalidOperationException("FMA chains produced NaN.");
    }

    // Distinct starting values keep the compiler from merging chains; a*m + c with m just under 1 stays finite.
    [MethodImpl(MethodImplOptions.NoInlining)]
    static float Chains512(int seed)
    {
        var m = Vector512.Create(0.9999999f);
        var c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(1.00f + seed), a1 = Vector512.Create(1.01f), a2 = Vector512.Create(1.02f), a3 = Vector512.Create(1.03f),
            a4 = Vector512.Create(1.04f), a5 = Vector512.Create(1.05f), a6 = Vector512.Create(1.06f), a7 = Vector512.Create(1.07f),
            a8 = Vector512.Create(1.08f), a9 = Vector512.Create(1.09f), a10 = Vector512.Create(1.10f), a11 = Vector512.Create(1.11f);
        for (long i = 0; i < Iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, m, c); a1 = Avx512F.FusedMultiplyAdd(a1, m, c); a2 = Avx512F.FusedMultiplyAdd(a2, m, c);
            a3 = Avx512F.FusedMultiplyAdd(a3, m, c); a4 = Avx512F.FusedMultiplyAdd(a4, m, c); a5 = Avx512F.FusedMultiplyAdd(a5, m, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, m, c); a7 = Avx512F.FusedMultiplyAdd(a7, m, c); a8 = Avx512F.FusedMultiplyAdd(a8, m, c);
            a9 = Avx512F.FusedMultiplyAdd(a9, m, c); a10 = Avx512F.FusedMultiplyAdd(a10, m, c); a11 = Avx512F.FusedMultiplyAdd(a11, m, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static float Chains256(int seed)
    {
        var m = Vector256.Create(0.9999999f);
        var c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1.00f + seed), a1 = Vector256.Create(1.01f), a2 = Vector256.Create(1.02f), a3 = Vector256.Create(1.03f),
            a4 = Vector256.Create(1.04f), a5 = Vector256.Create(1.05f), a6 = Vector256.Create(1.06f), a7 = Vector256.Create(1.07f),
            a8 = Vector256.Create(1.08f), a9 = Vector256.Create(1.09f), a10 = Vector256.Create(1.10f), a11 = Vector256.Create(1.11f);
        for (long i = 0; i < Iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, c); a1 = Fma.MultiplyAdd(a1, m, c); a2 = Fma.MultiplyAdd(a2, m, c);
            a3 = Fma.MultiplyAdd(a3, m, c); a4 = Fma.MultiplyAdd(a4, m, c); a5 = Fma.MultiplyAdd(a5, m, c);
            a6 = Fma.MultiplyAdd(a6, m, c); a7 = Fma.MultiplyAdd(a7, m, c); a8 = Fma.MultiplyAdd(a8, m, c);
            a9 = Fma.MultiplyAdd(a9, m, c); a10 = Fma.MultiplyAdd(a10, m, c); a11 = Fma.MultiplyAdd(a11, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
