namespace Kindling.Bench;

/// <summary>
/// What one benchmark case measured, in the JSON shape both sides print (snake_case in
/// <see cref="BenchJson"/>): rates, the per-step split, memory, and the achieved GFLOP/s.
/// </summary>
/// <param name="Kind">train, eval, data, e2e or matmul.</param>
/// <param name="ImagesPerSecond">Images per second over the timed steps (matmul: 0).</param>
/// <param name="Split">Milliseconds per step: data, forward, backward, optimizer and the whole step.</param>
/// <param name="FlopsPerImage">FLOPs counted per image: training 6 x MACs (forward 2, backward 4), eval 2 x MACs, data 0.</param>
/// <param name="Gflops">Achieved GFLOP/s: FlopsPerImage x images/s (matmul: 2n^3 per product).</param>
/// <param name="PeakRssMiB">Peak resident memory of the process (VmHWM).</param>
/// <param name="Gc">Managed collections during the timed steps (gen0, gen1, gen2) and managed-heap growth in MiB.</param>
public sealed record BenchResult(
    string Kind, BenchSettings Settings, long Parameters, long MacsPerImage, int TimedSteps, int Images, double Seconds,
    double ImagesPerSecond, StepSplit Split, double FlopsPerImage, double Gflops, double PeakRssMiB, GcActivity Gc,
    double? Accuracy = null);

/// <summary>Milliseconds per step in each phase; <see cref="Step"/> is the wall time of the whole step, <see cref="BestStep"/> the fastest one.</summary>
public sealed record StepSplit(double Data, double Forward, double Backward, double Optimizer, double Step, double BestStep);

/// <summary>Collections of each generation and managed-heap growth over the timed part.</summary>
public sealed record GcActivity(int Gen0, int Gen1, int Gen2, double ManagedGrowthMiB)
{
    public static (int, int, int, long) Snapshot() => (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalMemory(false));

    public static GcActivity Since((int g0, int g1, int g2, long bytes) start) =>
        new(GC.CollectionCount(0) - start.g0, GC.CollectionCount(1) - start.g1, GC.CollectionCount(2) - start.g2,
            (GC.GetTotalMemory(false) - start.bytes) / 1048576.0);
}
