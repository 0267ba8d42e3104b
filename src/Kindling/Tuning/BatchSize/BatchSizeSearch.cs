namespace Kindling.Tuning.BatchSize;

/// <summary>
/// The batch-size searches over any measuring step (<c>measure(batch)</c> trains at that size and reports its
/// cost, throwing when memory runs out): <see cref="UntilOutOfMemory"/> for CUDA, <see cref="WithinBudget"/>
/// for the CPU. An out-of-memory failure is caught, the memory released, and the search backs off; any other
/// error propagates.
/// </summary>
public static class BatchSizeSearch
{
    /// <summary>
    /// Doubles from <see cref="BatchSizeFinderOptions.Start"/> until a size runs out of memory or passes the max, then
    /// bisects between the last size that fitted and the one that failed (the seeds' find_max_batch_size, done to the end).
    /// </summary>
    public static BatchSizeResult UntilOutOfMemory(Func<int, BatchMeasurement> measure, BatchSizeFinderOptions options, int? dataSetSize = null,
        Action<BatchSizeProbe>? onProbe = null)
    {
        var o = options.Validate();
        var probes = new Probes(onProbe);
        var (max, cap) = Cap(o, dataSetSize);
        int? good = null, failed = null;
        for (int b = Math.Min(o.Start, max); ; b = b >= max ? max + 1 : Math.Min(b * 2, max))
        {
            if (b > max) break;
            if (Try(measure, b, probes) is null)
            {
                failed = b;
                break;
            }
            good = b;
        }
        if (good is null) good = BackOffBelow(measure, failed!.Value, probes);
        else if (failed is int hi)
        {
            int lo = good.Value;
            for (int i = 0; i < o.Refinements && hi - lo > 1; i++)
            {
                int mid = lo + (hi - lo) / 2;
                if (Try(measure, mid, probes) is null) hi = mid;
                else lo = mid;
            }
            good = lo;
        }
        return new BatchSizeResult(good.Value, "cuda", failed is null ? cap : "out of memory", [.. probes], null, null);
    }

    /// <summary>
    /// Doubles from <see cref="BatchSizeFinderOptions.Start"/> while the measured peak (above the baseline) stays within
    /// <paramref name="budgetBytes"/>; from two sizes on, a line (fixed + per sample) fitted to the peaks skips a size it
    /// predicts over the budget. Out-of-memory failures back off as on CUDA.
    /// </summary>
    public static BatchSizeResult WithinBudget(Func<int, BatchMeasurement> measure, BatchSizeFinderOptions options, long budgetBytes, int? dataSetSize = null,
        Action<BatchSizeProbe>? onProbe = null)
    {
        var o = options.Validate();
        if (budgetBytes <= 0) throw new ArgumentException($"the memory budget must be > 0 bytes; got {budgetBytes}.");
        var probes = new Probes(onProbe);
        var (max, limit) = Cap(o, dataSetSize);
        int? good = null;
        MemoryFit? fit = null;
        for (int b = Math.Min(o.Start, max); b <= max; b = b >= max ? max + 1 : Math.Min(b * 2, max))
        {
            if (fit is not null && fit.Predict(b) > budgetBytes)
            {
                probes.Add(new BatchSizeProbe(b, false, (long)fit.Predict(b), null, $"predicted peak {Bytes(fit.Predict(b))} is over the budget {Bytes(budgetBytes)}"));
                limit = "memory budget";
                break;
            }
            var m = Try(measure, b, probes, budgetBytes);
            if (m is null)
            {
                limit = probes[^1].Failure!.StartsWith("out of memory", StringComparison.Ordinal) ? "out of memory" : "memory budget";
                break;
            }
            good = b;
            var measured = probes.Where(p => p.Fits && p.PeakBytes is not null).Select(p => (p.BatchSize, (double)p.PeakBytes!.Value)).ToList();
            if (measured.Select(p => p.BatchSize).Distinct().Count() >= 2) fit = MemoryFit.Fit(measured);
        }
        good ??= BackOffBelow(measure, Math.Min(o.Start, max), probes, budgetBytes);
        return new BatchSizeResult(good.Value, "cpu", limit, [.. probes], fit, budgetBytes);
    }

    static (int Max, string Limit) Cap(BatchSizeFinderOptions o, int? dataSetSize) =>
        dataSetSize is int n && n < o.Max ? (Math.Max(n, 1), "data set size") : (o.Max, "max");

    /// <summary>Halves below a size that failed until one fits.</summary>
    static int BackOffBelow(Func<int, BatchMeasurement> measure, int failed, Probes probes, long? budgetBytes = null)
    {
        for (int b = failed / 2; b >= 1; b /= 2)
            if (Try(measure, b, probes, budgetBytes) is not null) return b;
        throw new InvalidOperationException($"not even a batch of 1 fits: {probes[^1].Failure}. Use a smaller model or input, or free memory.");
    }

    /// <summary>Measures one size; records it; null when it ran out of memory or went over the budget.</summary>
    static BatchMeasurement? Try(Func<int, BatchMeasurement> measure, int batchSize, Probes probes, long? budgetBytes = null)
    {
        BatchMeasurement m;
        try
        {
            m = measure(batchSize);
        }
        catch (Exception e) when (OutOfMemory.Is(e))
        {
            // Tensors of the failed step may wait for the finalizer: free them before the next, smaller try.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            probes.Add(new BatchSizeProbe(batchSize, false, null, null, "out of memory: " + FirstLine(e.Message)));
            return null;
        }
        if (budgetBytes is long budget && m.PeakBytes > budget)
        {
            probes.Add(new BatchSizeProbe(batchSize, false, m.PeakBytes, m.ImagesPerSecond, $"peak {Bytes(m.PeakBytes.Value)} is over the budget {Bytes(budget)}"));
            return null;
        }
        probes.Add(new BatchSizeProbe(batchSize, true, m.PeakBytes, m.ImagesPerSecond, null));
        return m;
    }

    /// <summary>The probes so far, each reported as it is recorded.</summary>
    sealed class Probes(Action<BatchSizeProbe>? onProbe) : List<BatchSizeProbe>
    {
        public new void Add(BatchSizeProbe probe)
        {
            base.Add(probe);
            onProbe?.Invoke(probe);
        }
    }

    static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();

    /// <summary>Bytes as MiB or GiB.</summary>
    public static string Bytes(double bytes) =>
        Math.Abs(bytes) >= 1 << 30 ? $"{bytes / (1 << 30):F2} GiB" : $"{bytes / (1 << 20):F1} MiB";
}
