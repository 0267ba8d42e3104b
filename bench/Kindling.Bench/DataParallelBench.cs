using System.Diagnostics;
using System.Text.Json.Nodes;
using Kindling.Distributed;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Bench;

/// <summary>
/// The data-parallel cases, run under mpirun (or alone, as the one-rank baseline): the all-reduce's bandwidth and latency
/// on the communicator, and the training step with gradients averaged (images/s of the whole job, the communication share).
/// </summary>
public static class DataParallelBench
{
    /// <summary>
    /// All-reduces of a float32 buffer of <paramref name="megabytes"/> MiB: the mean time, the algorithm bandwidth (bytes / time)
    /// and the bus bandwidth (x 2(N-1)/N, what a ring moves per rank: comparable across world sizes, and what the scaling model
    /// in docs/distributed.md reads); a one-float all-reduce's time is the latency term. Every collective's result is checked.
    /// </summary>
    public static JsonObject AllReduce(ICommunicator world, double megabytes, int iterations)
    {
        TorchRuntime();
        long n = Math.Max(1, (long)(megabytes * 1024 * 1024 / 4));
        using var buffer = full(n, world.Rank + 1.0f);
        // Correctness first: sum of 1..N everywhere; broadcast and all-gather of the rank.
        world.AllReduce(buffer);
        float expected = world.Size * (world.Size + 1) / 2f;
        bool ok = buffer.eq(expected).all().item<bool>();
        using var root = tensor(new long[] { world.Rank == 0 ? 42 : -1 });
        world.Broadcast(root);
        ok &= root.item<long>() == 42;
        using var gathered = world.AllGather(tensor(new long[] { world.Rank }));
        ok &= gathered.data<long>().ToArray().SequenceEqual(Enumerable.Range(0, world.Size).Select(r => (long)r));
        if (!ok) throw new DistributedException($"rank {world.Rank}: a collective returned a wrong result.");
        if (world.Size > 1) CheckReducer(world);

        double seconds = Timed(world, iterations, () => world.AllReduce(buffer));
        using var one = zeros(1);
        double latency = Timed(world, Math.Max(iterations, 100), () => world.AllReduce(one));
        double bytes = n * 4.0, algorithm = bytes / seconds;
        return new JsonObject
        {
            ["kind"] = "allreduce",
            ["world_size"] = world.Size,
            ["backend"] = world.Backend,
            ["transport"] = Environment.GetEnvironmentVariable("OMPI_MCA_btl") ?? "mpirun's choice (see --mca btl)",
            ["bytes"] = bytes,
            ["iterations"] = iterations,
            ["checks"] = "ok",
            ["seconds_per_allreduce"] = seconds,
            ["algorithm_gb_per_s"] = algorithm / 1e9,
            ["bus_gb_per_s"] = world.Size == 1 ? 0 : algorithm * 2 * (world.Size - 1) / world.Size / 1e9,
            ["latency_us"] = latency * 1e6,
        };
    }

    /// <summary>
    /// Training steps of <paramref name="s"/>'s model with the global batch <see cref="BenchSettings.Batch"/> split over the
    /// ranks, gradients averaged in buckets of <paramref name="bucketMb"/>: images/s of the whole job and the share of the
    /// step spent averaging gradients (packing, all-reduce, unpacking).
    /// </summary>
    public static JsonObject Train(ICommunicator world, BenchSettings s, double bucketMb)
    {
        if (s.Batch % world.Size != 0) throw new ArgumentException($"--batch {s.Batch} is the global batch: it must divide by the {world.Size} ranks.");
        var local = s with { Batch = s.Batch / world.Size };
        StepBenchmarks.Prepare(local);
        using var model = BenchModels.Create(s.Model, s.Classes);
        using var batch = StepBenchmarks.SyntheticBatch(local with { Seed = s.Seed + world.Rank });
        var reducer = new GradientAllReducer(world, bucketMb);
        using var step = new TrainStep(model, s.Classes, local.Batch, s.ChannelsLast, null, world.Size > 1 ? reducer : null);
        for (int i = 0; i < s.Warmup; i++) step.Run(batch);
        var communication = reducer.GradientTime;
        world.Barrier();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < s.Steps; i++) step.Run(batch);
        world.Barrier();
        double seconds = clock.Elapsed.TotalSeconds;
        double commSeconds = (reducer.GradientTime - communication).TotalSeconds;
        // The slowest rank sets the pace: report rank 0's view of the job and the largest communication time.
        using var worst = tensor(new[] { commSeconds });
        world.AllReduce(worst, ReduceOp.Max);
        long parameters = model.parameters().Sum(p => p.numel());
        return new JsonObject
        {
            ["kind"] = "dp",
            ["model"] = s.Model,
            ["world_size"] = world.Size,
            ["backend"] = world.Backend,
            ["transport"] = Environment.GetEnvironmentVariable("OMPI_MCA_btl") ?? "mpirun's choice (see --mca btl)",
            ["threads"] = get_num_threads(),
            ["global_batch"] = s.Batch,
            ["batch_per_rank"] = local.Batch,
            ["steps"] = s.Steps,
            ["parameters"] = parameters,
            ["gradient_bytes_per_step"] = parameters * 4,
            ["bucket_mb"] = bucketMb,
            ["seconds"] = seconds,
            ["step_ms"] = seconds / s.Steps * 1e3,
            ["images_per_second"] = s.Batch * s.Steps / seconds,
            ["communication_ms_per_step"] = worst.item<double>() / s.Steps * 1e3,
            ["communication_share"] = worst.item<double>() / seconds,
        };
    }

    /// <summary>
    /// The gradient all-reducer on this world of several ranks, with what training meets: gradients in several buckets (a bucket of a few
    /// bytes), a channels-last gradient, a parameter with a gradient on rank 0 only (the others count zero, and get the
    /// mean), one with none anywhere (stays without), a non-finite loss on the last rank (every rank hears of it), and the
    /// all-gather a MoCo queue uses.
    /// </summary>
    static void CheckReducer(ICommunicator world)
    {
        using var scope = NewDisposeScope();
        int n = world.Size, r = world.Rank;
        var reducer = new GradientAllReducer(world, bucketMegabytes: 1e-5);
        var dense = new TorchSharp.Modules.Parameter(zeros(3, 5));
        var strided = new TorchSharp.Modules.Parameter(ChannelsLast.Of(zeros(2, 3, 4, 4)));
        var rootOnly = new TorchSharp.Modules.Parameter(zeros(7));
        var none = new TorchSharp.Modules.Parameter(zeros(2));
        dense.grad = arange(15, dtype: float32).reshape(3, 5) * (r + 1);
        strided.grad = ChannelsLast.Of(full(2, 3, 4, 4, r + 1.0f));
        if (r == 0) rootOnly.grad = full(7, 2.0f);
        bool allFinite = reducer.AverageGradients([dense, strided, rootOnly, none], lossFinite: r != n - 1);
        float mean = (n + 1) / 2f;
        var failures = new List<string>();
        if (!dense.grad!.allclose(arange(15, dtype: float32).reshape(3, 5) * mean)) failures.Add("dense gradient");
        if (!strided.grad!.allclose(full_like(strided, mean)) || !ChannelsLast.Is(strided.grad)) failures.Add("channels-last gradient");
        if (rootOnly.grad is null || !rootOnly.grad.allclose(full(7, 2.0f / n))) failures.Add("gradient on rank 0 only");
        if (none.grad is not null) failures.Add("parameter without gradients");
        if (allFinite == (n >= 1)) failures.Add("non-finite loss agreement");
        if (reducer.Buckets < 2) failures.Add("buckets");
        var keys = reducer.AllGather(full(2, 3, (float)r));
        if (!keys.shape.SequenceEqual(new long[] { 2 * n, 3 }) || !keys.select(0, 2 * n - 1).eq(n - 1).all().item<bool>()) failures.Add("all-gather");
        if (failures.Count > 0) throw new DistributedException($"rank {r}: the gradient all-reducer got wrong: {string.Join(", ", failures)}.");
    }

    static double Timed(ICommunicator world, int iterations, Action action)
    {
        action();
        world.Barrier();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++) action();
        return clock.Elapsed.TotalSeconds / iterations;
    }

    static void TorchRuntime() => Kindling.Runtime.TorchRuntime.EnsureLoaded();
}
