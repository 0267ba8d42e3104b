using Kindling.Compression;
using Kindling.Compression.Fusion;
using Kindling.Data.Loading;
using Kindling.Export.Onnx;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Bench;

/// <summary>
/// The cases of `kindling bench`: a training step (AdamW, cross-entropy with label smoothing 0.1) and
/// an eval step on a fixed synthetic batch, the loader alone, an end-to-end epoch (loader with the
/// standard CIFAR augmentation feeding the training step), and a 2048^2 matmul as the machine's
/// ceiling. bench/reference/bench.py does the same in PyTorch, step for step.
/// </summary>
public static class StepBenchmarks
{
    /// <summary>AdamW as the benchmarks use it on both sides: lr 1e-3, weight decay 0.05 on weights (not on biases and norms).</summary>
    public static readonly OptimizerOptions AdamW = new() { Name = "adamw", Lr = 1e-3, WeightDecay = 0.05 };

    /// <summary>Label smoothing of the benchmarks' cross-entropy.</summary>
    public const double LabelSmoothing = 0.1;

    /// <summary>Sets the intra-op threads (when asked) and seeds torch.</summary>
    public static void Prepare(BenchSettings s)
    {
        TorchRuntime.EnsureLoaded();
        if (s.Threads > 0) set_num_threads(s.Threads);
        manual_seed(s.Seed);
    }

    /// <summary>Training steps on one synthetic batch: forward (with the loss), backward, optimizer step.</summary>
    public static BenchResult Train(BenchSettings s)
    {
        Prepare(s);
        using var model = BenchModels.Create(s.Model, s.Classes);
        var (parameters, macs) = BenchModels.Cost(model);
        using var batch = SyntheticBatch(s);
        var clock = new PhaseClock();
        using var trainer = new TrainStep(model, s.Classes, s.Batch, s.ChannelsLast, clock);
        var gc = Timed(s, clock, _ => trainer.Run(batch));
        return Result("train", s, parameters, macs, clock, 6.0 * macs, gc);
    }

    /// <summary>Eval steps (inference mode) on one synthetic batch; optionally channels-last and conv-BN fused; in libtorch or ONNX Runtime (<see cref="BenchSettings.Engine"/>).</summary>
    public static BenchResult Eval(BenchSettings s)
    {
        Prepare(s);
        using var model = BenchModels.Create(s.Model, s.Classes);
        var (parameters, macs) = BenchModels.Cost(model);
        model.eval();
        if (s.Fused) ModelFusion.Fuse(model, new long[] { 3, 32, 32 });
        if (s.Engine == "onnxruntime") return OnnxRuntimeEval(s, model, parameters, macs);
        if (s.ChannelsLast) ChannelsLast.Apply(model);
        using var x0 = randn(s.Batch, 3, 32, 32);
        using var x = s.ChannelsLast ? ChannelsLast.Of(x0).detach() : x0.alias();
        var clock = new PhaseClock();
        var gc = Timed(s, clock, c =>
        {
            using var scope = NewDisposeScope();
            using var inference = inference_mode();
            _ = model.call(x).argmax(1);
            c?.Forward();
            c?.EndStep();
        });
        return Result("eval", s, parameters, macs, clock, 2.0 * macs, gc);
    }

    // The same model and batch exported to ONNX (fp32) and run by ONNX Runtime with the benchmark's threads;
    // the step includes the copies in and out of ONNX Runtime, as `kindling eval` on an .onnx model pays them.
    static BenchResult OnnxRuntimeEval(BenchSettings s, nn.Module<Tensor, Tensor> model, long parameters, long macs)
    {
        var onnx = OnnxExporter.ToModel(model, new long[] { 3, 32, 32 });
        using var runtime = new OnnxRuntimeModel(onnx.ToBytes(), s.Threads);
        using var x = randn(s.Batch, 3, 32, 32);
        var clock = new PhaseClock();
        var gc = Timed(s, clock, c =>
        {
            using var scope = NewDisposeScope();
            _ = runtime.Run(x).argmax(1);
            c?.Forward();
            c?.EndStep();
        });
        return Result("eval", s, parameters, macs, clock, 2.0 * macs, gc);
    }

    /// <summary>The loader alone: batches of the standard augmentation from the data file (or random images), collated to float NCHW.</summary>
    public static BenchResult Data(BenchSettings s)
    {
        Prepare(s);
        var data = Dataset(s);
        using var loader = Loader(data, s);
        using var batches = Endless(loader).GetEnumerator();
        var clock = new PhaseClock();
        var gc = Timed(s, clock, c =>
        {
            batches.MoveNext();
            using var batch = batches.Current;
            c?.Data();
            c?.EndStep();
        });
        return Result("data", s, 0, 0, clock, 0, gc);
    }

    /// <summary>
    /// Training epochs over the data file: the loader (standard augmentation, <see cref="BenchSettings.Workers"/>
    /// worker threads) feeding the training step. Warm-up steps on a synthetic batch first, so oneDNN's
    /// first-use costs are not timed; data time is the wait for the next batch.
    /// </summary>
    public static BenchResult Epoch(BenchSettings s)
    {
        Prepare(s);
        var data = Dataset(s);
        using var model = BenchModels.Create(s.Model, s.Classes);
        var (parameters, macs) = BenchModels.Cost(model);
        var clock = new PhaseClock();
        using var trainer = new TrainStep(model, s.Classes, s.Batch, s.ChannelsLast, clock);
        using (var warm = SyntheticBatch(s))
            for (int i = 0; i < s.Warmup; i++) trainer.Run(warm);
        trainer.ResetMetrics();

        using var loader = Loader(data, s);
        var gc = GcActivity.Snapshot();
        long images = 0;
        clock.Start();
        for (int e = 0; e < s.Epochs; e++)
        {
            foreach (var batch in loader)
            {
                using (batch)
                {
                    clock.Data();
                    trainer.Run(batch);
                    images += batch.Count;
                }
            }
        }
        clock.Stop();
        var result = Result("e2e", s, parameters, macs, clock, 6.0 * macs, GcActivity.Since(gc));
        return result with { Images = (int)images, ImagesPerSecond = images / clock.Seconds, Gflops = 6.0 * macs * images / clock.Seconds / 1e9, Accuracy = trainer.Accuracy };
    }

    /// <summary>A 2048 x 2048 fp32 matmul (2n^3 FLOPs each): the machine's ceiling for the GFLOP/s figures.</summary>
    public static BenchResult Matmul(BenchSettings s, int n = 2048)
    {
        Prepare(s);
        using var a = randn(n, n);
        using var b = randn(n, n);
        var clock = new PhaseClock();
        var gc = Timed(s, clock, c =>
        {
            using (var product = a.mm(b)) { }
            c?.Forward();
            c?.EndStep();
        });
        double flops = 2.0 * n * n * n;
        var split = clock.Split();
        return new BenchResult("matmul", s, 0, 0, clock.Steps, 0, clock.Seconds, 0, split, 0,
            flops * clock.Steps / clock.Seconds / 1e9, ProcessMemory.PeakMiB(), gc);
    }

    /// <summary>
    /// A fixed synthetic batch of CIFAR's shape (channels-last strides when asked, as the loader makes them). Built by
    /// hand because the benchmark times the step, not a loader.
    /// </summary>
    internal static Batch SyntheticBatch(BenchSettings s)
    {
        using var x = randn(s.Batch, 3, 32, 32);
        var images = s.ChannelsLast ? ChannelsLast.Of(x).detach() : x.clone();
        return new Batch([images], randint(0, s.Classes, s.Batch, dtype: int64), null, Enumerable.Range(0, s.Batch).ToArray(), 0);
    }

    /// <summary>Runs <paramref name="step"/> for the warm-up (with no clock) and then the timed steps; returns the GC activity of the timed part.</summary>
    static GcActivity Timed(BenchSettings s, PhaseClock clock, Action<PhaseClock?> step)
    {
        for (int i = 0; i < s.Warmup; i++) step(null);
        var gc = GcActivity.Snapshot();
        clock.Start();
        for (int i = 0; i < s.Steps; i++) step(clock);
        clock.Stop();
        return GcActivity.Since(gc);
    }

    /// <summary>The loader's batches epoch after epoch (its persistent workers stay up between epochs).</summary>
    static IEnumerable<Batch> Endless(DataLoader loader)
    {
        while (true)
            foreach (var batch in loader)
                yield return batch;
    }

    static Data.Datasets.IImageDataset Dataset(BenchSettings s)
    {
        Data.Datasets.IImageDataset data = s.Data is null ? LoaderRate.RandomImages(s.Images > 0 ? s.Images : 10_000, 3, 32, classes: s.Classes) : ImageArrayFile.Read(s.Data);
        return s.Images > 0 && s.Images < data.Count ? new Data.Datasets.SubsetDataset(data, Enumerable.Range(0, s.Images).ToArray()) : data;
    }

    static DataLoader Loader(Data.Datasets.IImageDataset data, BenchSettings s) => new(data, new DataLoaderOptions
    {
        BatchSize = s.Batch, Shuffle = true, Seed = s.Seed, NumWorkers = s.Workers, PersistentWorkers = s.Workers > 0, ChannelsLast = s.ChannelsLast,
    }, DataBenchmark.Standard(32, 4, ImageArrayFile.Mean, ImageArrayFile.Std));

    static BenchResult Result(string kind, BenchSettings s, long parameters, long macs, PhaseClock clock, double flopsPerImage, GcActivity gc)
    {
        int images = clock.Steps * s.Batch;
        double rate = clock.Seconds > 0 ? images / clock.Seconds : 0;
        return new BenchResult(kind, s, parameters, macs, clock.Steps, images, clock.Seconds, rate, clock.Split(),
            flopsPerImage, flopsPerImage * rate / 1e9, ProcessMemory.PeakMiB(), gc);
    }
}
