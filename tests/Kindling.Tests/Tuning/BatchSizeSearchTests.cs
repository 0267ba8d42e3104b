using System.Runtime.InteropServices;
using Kindling.Tuning;
using Kindling.Tuning.BatchSize;
using Kindling.Tuning.LrFinding;

namespace Kindling.Tests.Tuning;

/// <summary>The searches with injected measurements: CUDA's out-of-memory back-off without a GPU, the CPU budget, the fit, the scaling.</summary>
public class BatchSizeSearchTests
{
    const long MiB = 1 << 20;

    // What libtorch's CUDA allocator throws (through TorchSharp) when an allocation fails.
    static BatchMeasurement FailsAbove(int limit, int batch) =>
        batch > limit ? throw new ExternalException($"CUDA out of memory. Tried to allocate {batch * 8} MiB (GPU 0; 79.11 GiB total capacity)\nException raised from malloc")
            : new BatchMeasurement(null, 1000.0 * batch / (batch + 32));

    [Fact]
    public void CudaDoublesUntilOutOfMemoryThenBisectsBack()
    {
        var result = BatchSizeSearch.UntilOutOfMemory(b => FailsAbove(300, b), new BatchSizeFinderOptions { Start = 16, Max = 4096, Refinements = 3 });
        Assert.Equal([16, 32, 64, 128, 256, 512, 384, 320, 288], result.Probes.Select(p => p.BatchSize));
        Assert.Equal([true, true, true, true, true, false, false, false, true], result.Probes.Select(p => p.Fits));
        Assert.Equal(288, result.BatchSize);
        Assert.Equal("out of memory", result.Limit);
        Assert.StartsWith("out of memory: CUDA out of memory. Tried to allocate", result.Probes[5].Failure);
        Assert.Equal("cuda", result.Method);

        var noRefine = BatchSizeSearch.UntilOutOfMemory(b => FailsAbove(300, b), new BatchSizeFinderOptions { Start = 16, Max = 4096, Refinements = 0 });
        Assert.Equal(256, noRefine.BatchSize);
    }

    [Fact]
    public void CudaBacksOffBelowAFailingStartAndStopsAtTheMax()
    {
        var low = BatchSizeSearch.UntilOutOfMemory(b => FailsAbove(5, b), new BatchSizeFinderOptions { Start = 16 });
        Assert.Equal([16, 8, 4], low.Probes.Select(p => p.BatchSize));
        Assert.Equal(4, low.BatchSize);

        var capped = BatchSizeSearch.UntilOutOfMemory(b => FailsAbove(10_000, b), new BatchSizeFinderOptions { Start = 16, Max = 100 });
        Assert.Equal([16, 32, 64, 100], capped.Probes.Select(p => p.BatchSize));
        Assert.Equal(("max", 100), (capped.Limit, capped.BatchSize));

        var small = BatchSizeSearch.UntilOutOfMemory(b => FailsAbove(10_000, b), new BatchSizeFinderOptions { Start = 16, Max = 1024 }, dataSetSize: 40);
        Assert.Equal(("data set size", 40), (small.Limit, small.BatchSize));

        var none = Assert.Throws<InvalidOperationException>(() => BatchSizeSearch.UntilOutOfMemory(b => FailsAbove(0, b), new BatchSizeFinderOptions { Start = 4 }));
        Assert.Contains("not even a batch of 1 fits", none.Message);
    }

    [Fact]
    public void OtherErrorsAreNotTakenForOutOfMemory()
    {
        var e = Assert.Throws<ExternalException>(() => BatchSizeSearch.UntilOutOfMemory(
            b => b > 32 ? throw new ExternalException("mat1 and mat2 shapes cannot be multiplied (64x10 and 12x3)") : new BatchMeasurement(null, 1), new BatchSizeFinderOptions()));
        Assert.Contains("shapes cannot be multiplied", e.Message);
        Assert.True(OutOfMemory.Is(new ExternalException("DefaultCPUAllocator: not enough memory: you tried to allocate 123 bytes.")));
        Assert.True(OutOfMemory.Is(new InvalidOperationException("wrapped", new OutOfMemoryException())));
        Assert.False(OutOfMemory.Is(new ArgumentException("index out of range")));
    }

    // A CPU step whose peak is 50 MiB plus 1 MiB a sample.
    static BatchMeasurement Linear(int batch) => new(50 * MiB + batch * MiB, 100.0 * batch / (batch + 16));

    [Fact]
    public void CpuStopsWhereTheFittedLinePassesTheBudget()
    {
        var seen = new List<int>();
        var result = BatchSizeSearch.WithinBudget(Linear, new BatchSizeFinderOptions { Start = 16, Max = 4096 }, budgetBytes: 300 * MiB, onProbe: p => seen.Add(p.BatchSize));
        // 16, 32, 64, 128 measured; 256 is predicted at 306 MiB, over the budget, and not run.
        Assert.Equal([16, 32, 64, 128, 256], result.Probes.Select(p => p.BatchSize));
        Assert.Equal(seen, result.Probes.Select(p => p.BatchSize));
        Assert.False(result.Probes[^1].Fits);
        Assert.Null(result.Probes[^1].ImagesPerSecond);
        Assert.Contains("predicted peak 306.0 MiB is over the budget 300.0 MiB", result.Probes[^1].Failure);
        Assert.Equal((128, "cpu", "memory budget"), (result.BatchSize, result.Method, result.Limit));
        Assert.Equal(50.0 * MiB, result.Fit!.FixedBytes, 1e-3);
        Assert.Equal(1.0 * MiB, result.Fit.BytesPerSample, 1e-6);
        Assert.Equal(250, result.BudgetAllows);
    }

    [Fact]
    public void CpuRefusesAMeasuredPeakOverTheBudgetAndBacksOff()
    {
        // Memory jumps at 64 (a different algorithm, say): the line from 16 and 32 did not see it coming.
        var result = BatchSizeSearch.WithinBudget(b => new BatchMeasurement((b >= 64 ? 500 : 10) * MiB + b * MiB, b), new BatchSizeFinderOptions { Start = 16 }, 200 * MiB);
        Assert.Equal([16, 32, 64], result.Probes.Select(p => p.BatchSize));
        Assert.Contains("is over the budget", result.Probes[^1].Failure);
        Assert.Equal(32, result.BatchSize);

        var oom = BatchSizeSearch.WithinBudget(b => b >= 64 ? throw new ExternalException("DefaultCPUAllocator: can't allocate memory") : Linear(b), new BatchSizeFinderOptions { Start = 16 }, 10_000 * MiB);
        Assert.Equal((32, "out of memory"), (oom.BatchSize, oom.Limit));

        var tight = BatchSizeSearch.WithinBudget(Linear, new BatchSizeFinderOptions { Start = 16 }, 60 * MiB);
        Assert.Equal([16, 8], tight.Probes.Select(p => p.BatchSize));
        Assert.Equal(8, tight.BatchSize);
    }

    [Fact]
    public void TheKneeIsWhereThroughputStopsPaying()
    {
        var result = BatchSizeSearch.WithinBudget(Linear, new BatchSizeFinderOptions { Start = 16, Max = 1024 }, 100_000 * MiB);
        // 100 b / (b + 16): 50, 66.7, 80, 88.9, 94.1, 97.0, 98.5 images/s for 16..1024.
        Assert.Equal(128, result.ThroughputKnee(0.9));
        Assert.Equal(256, result.ThroughputKnee(0.95));
        Assert.Equal("max", result.Limit);
    }

    [Fact]
    public void TheLineIsALeastSquaresFit()
    {
        var fit = MemoryFit.Fit([(16, 100.0 + 16 * 3), (32, 100.0 + 32 * 3 + 4), (64, 100.0 + 64 * 3 - 2)]);
        // Hand-worked least squares over x = 16, 32, 64 with residuals 0, +4, -2.
        double mx = 112.0 / 3, my = (148 + 200 + 290) / 3.0;
        double sxy = (16 - mx) * (148 - my) + (32 - mx) * (200 - my) + (64 - mx) * (290 - my);
        double sxx = (16 - mx) * (16 - mx) + (32 - mx) * (32 - mx) + (64 - mx) * (64 - mx);
        Assert.Equal(sxy / sxx, fit.BytesPerSample, 12);
        Assert.Equal(my - sxy / sxx * mx, fit.FixedBytes, 10);
        Assert.Equal(0, new MemoryFit(100, 1).MaxBatchSize(50));
        Assert.Equal(int.MaxValue, new MemoryFit(100, 0).MaxBatchSize(200));
        Assert.Throws<ArgumentException>(() => MemoryFit.Fit([(16, 1.0), (16, 2.0)]));
    }

    [Fact]
    public void LrScalesLinearlyForSgdAndBySquareRootForAdaptiveOptimizers()
    {
        var sgd = LrScaling.For("sgd", 0.2, 256, 1024);
        Assert.Equal(("linear", 0.8), (sgd.Rule, sgd.ScaledLr));
        var adamw = LrScaling.For("AdamW", 1e-3, 128, 512);
        Assert.Equal("sqrt", adamw.Rule);
        Assert.Equal(2e-3, adamw.ScaledLr, 15);
        Assert.Equal(0.05, LrScaling.For("sgd", 0.2, 256, 64).ScaledLr, 15);
        Assert.Throws<ArgumentException>(() => LrScaling.For("sgd", 0.1, 0, 64));
    }

    [Theory]
    [InlineData("6GiB", 6L << 30)]
    [InlineData("6 G", 6L << 30)]
    [InlineData("512MB", 512L << 20)]
    [InlineData("1.5g", 3L << 29)]
    [InlineData("1048576", 1L << 20)]
    [InlineData("64k", 64L << 10)]
    public void MemorySizesParse(string text, long bytes) => Assert.Equal(bytes, MemorySize.Parse(text));

    [Theory]
    [InlineData("abc")]
    [InlineData("-1G")]
    [InlineData("0")]
    [InlineData("GiB")]
    [InlineData("5 parsecs")]
    public void BadMemorySizesAreRefused(string text) =>
        Assert.Contains("is not a memory size", Assert.Throws<ArgumentException>(() => MemorySize.Parse(text)).Message);

    [Theory]
    [InlineData(0, 1024, "first batch size must be >= 1")]
    [InlineData(64, 32, "must be at least the first")]
    public void BadSettingsAreRefused(int start, int max, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => new BatchSizeFinder(new BatchSizeFinderOptions { Start = start, Max = max })).Message);
}
