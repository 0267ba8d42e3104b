using Kindling.Data.Transforms;
using Kindling.Optim;
using Kindling.Optim.Schedulers;
using Kindling.Runtime;
using Kindling.Training;
using Kindling.Training.Callbacks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Training;

[Collection("GlobalGenerator")]
public class TrainerTests
{
    public TrainerTests() => TorchRuntime.EnsureLoaded();

    static nn.Module<Tensor, Tensor> Mlp(long seed, double dropout = 0)
    {
        manual_seed(seed);
        return nn.Sequential(("flat", nn.Flatten()), ("fc1", nn.Linear(64, 32)), ("relu", nn.ReLU()), ("drop", nn.Dropout(dropout)), ("fc2", nn.Linear(32, 3)));
    }

    static nn.Module<Tensor, Tensor> ConvNet(long seed)
    {
        manual_seed(seed);
        return nn.Sequential(("conv", nn.Conv2d(1, 8, 3, padding: 1)), ("bn", nn.BatchNorm2d(8)), ("relu", nn.ReLU()),
            ("conv2", nn.Conv2d(8, 8, 3, padding: 1)), ("relu2", nn.ReLU()), ("pool", nn.AdaptiveAvgPool2d(new long[] { 2, 2 })),
            ("flat", nn.Flatten()), ("drop", nn.Dropout(0.2)), ("fc", nn.Linear(32, 3)));
    }

    static double[] Weights(nn.Module m) => m.parameters().SelectMany(p => p.detach().cpu().to(float64).contiguous().data<double>().ToArray()).ToArray();

    [Fact]
    public void AccumulatingFourBatchesOf32EqualsOneBatchOf128()
    {
        var data = TinyData.Bands(128);
        var options = new TrainerOptions { Epochs = 1, Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.5, Momentum = 0.9 }, Device = "cpu" };
        var accumulated = Mlp(11);
        new Trainer(options with { AccumulationSteps = 4 }).Fit(accumulated, TinyData.Loader(data, 32));
        var single = Mlp(11);
        new Trainer(options).Fit(single, TinyData.Loader(data, 128));
        var a = Weights(accumulated);
        var b = Weights(single);
        Assert.Equal(b.Length, a.Length);
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) < 1e-5, $"weight {i}: {a[i]} vs {b[i]}");
        Assert.NotEqual(Weights(Mlp(11)), a); // it did train
    }

    [Fact]
    public void PartialLastWindowIsAveragedOverItsOwnBatches()
    {
        // 96 samples in batches of 32 with accumulation 2: windows of 2 and 1 batches -> 2 optimizer steps per epoch.
        var trainer = new Trainer(new TrainerOptions { Epochs = 1, AccumulationSteps = 2, Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.1 }, Device = "cpu" });
        trainer.Fit(Mlp(2), TinyData.Loader(TinyData.Bands(96), 32));
        Assert.Equal(2, trainer.State.GlobalStep);
        Assert.Equal(2, trainer.State.StepsPerEpoch);
    }

    static TrainerOptions ResumableOptions(string dir, string optimizer = "adamw", bool channelsLast = false) => new()
    {
        Epochs = 3,
        Optimizer = optimizer == "sgd"
            ? new OptimizerOptions { Name = "sgd", Lr = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 5e-4 }
            : new OptimizerOptions { Name = optimizer, Lr = 0.01, WeightDecay = 0.01 },
        ChannelsLast = channelsLast,
        Schedule = new ScheduleOptions { Name = "one_cycle_lr" },
        LabelSmoothing = 0.1,
        ClipGradNorm = 1.0,
        AccumulationSteps = 2,
        EmaDecay = 0.9,
        Seed = 3,
        Device = "cpu",
        CheckpointDir = dir,
    };

    /// <summary>The resume tests' data: each call makes fresh loaders, as a new process would.</summary>
    sealed class ResumeData(string optimizer = "adamw", bool channelsLast = false)
    {
        readonly Kindling.Data.Datasets.InMemoryImageDataset train = TinyData.Bands(96), val = TinyData.Bands(30, seed: 9);
        readonly RandomHorizontalFlip flip = new(0.5);

        public (Kindling.Data.Loading.DataLoader Train, Kindling.Data.Loading.DataLoader Val) Loaders() =>
            (TinyData.Loader(train, 16, shuffle: true, transform: flip), TinyData.Loader(val, 16));

        public FitResult Fit(string dir, long modelSeed, ITrainerCallback[]? callbacks = null, string? resumeFrom = null, CancellationToken cancellation = default)
        {
            var (t, v) = Loaders();
            return new Trainer(ResumableOptions(dir, optimizer, channelsLast), callbacks).Fit(ConvNet(modelSeed), t, v, resumeFrom, cancellation);
        }
    }

    static void AssertSameEpochs(FitResult expected, FitResult actual)
    {
        Assert.Equal(expected.History.Count, actual.History.Count);
        for (int e = 0; e < expected.History.Count; e++)
        {
            Assert.Equal(expected.History[e].Get("train_loss")!.Value, actual.History[e].Get("train_loss")!.Value, 6);
            Assert.Equal(expected.History[e].Get("val_loss")!.Value, actual.History[e].Get("val_loss")!.Value, 6);
            Assert.Equal(expected.History[e].Get("ema_val_loss")!.Value, actual.History[e].Get("ema_val_loss")!.Value, 6);
            Assert.Equal(expected.History[e].LearningRate, actual.History[e].LearningRate, 12);
        }
    }

    sealed class StopAfter(int epoch) : ITrainerCallback
    {
        public void OnEpochEnd(TrainerState state, EpochMetrics metrics)
        {
            if (state.Epoch == epoch) state.RequestStop("test");
        }
    }

    [Theory]
    [InlineData("adamw", false)]
    [InlineData("adamw", true)] // channels-last optimizer state is strided: checkpoints must still write and read it
    [InlineData("sgd", true)]   // SGD's momentum buffer is a clone of the (channels-last) gradient
    public void ResumedRunGivesTheSameMetricsAsTheUninterruptedRun(string optimizer, bool channelsLast)
    {
        var data = new ResumeData(optimizer, channelsLast);
        using var dirA = new TempDir();
        using var dirB = new TempDir();
        var full = data.Fit(dirA.Path, 1);
        var first = data.Fit(dirB.Path, 1, new ITrainerCallback[] { new StopAfter(2) });
        Assert.Equal(2, first.History.Count);
        Assert.StartsWith("stopped", first.EndReason);
        // A fresh process would build a fresh model (other initial weights) and loaders: the checkpoint must carry everything.
        AssertSameEpochs(full, data.Fit(dirB.Path, 99, resumeFrom: Path.Combine(dirB.Path, "last.ckpt")));
    }

    [Fact]
    public void EmaIsEvaluatedAlongsideAndEarlyStoppingStops()
    {
        var data = TinyData.Bands(60);
        var options = new TrainerOptions
        {
            Epochs = 20,
            Optimizer = new OptimizerOptions { Name = "sgd", Lr = 1e-9 }, // nothing can improve
            EmaDecay = 0.5,
            EarlyStopping = new EarlyStoppingOptions("val_loss", "min", patience: 2, minDelta: 1e-3),
            Device = "cpu",
        };
        var result = new Trainer(options).Fit(Mlp(4), TinyData.Loader(data, 20), TinyData.Loader(data, 20));
        Assert.Equal(3, result.History.Count);
        Assert.StartsWith("early stopping", result.EndReason);
        Assert.All(result.History, h => Assert.NotNull(h.Get("ema_val_accuracy")));
    }

    /// <summary>A linear classifier whose training outputs turn NaN after a number of forward calls.</summary>
    sealed class NaNAfter : nn.Module<Tensor, Tensor>
    {
        readonly nn.Module<Tensor, Tensor> inner;
        readonly int calls;
        int seen;

        public NaNAfter(int calls = int.MaxValue) : base(nameof(NaNAfter))
        {
            manual_seed(8);
            inner = nn.Sequential(nn.Flatten(), nn.Linear(64, 3));
            this.calls = calls;
        }

        public override Tensor forward(Tensor x)
        {
            var y = inner.forward(x);
            return training && ++seen > calls ? y * double.NaN : y;
        }

        public void Register() => RegisterComponents();
    }

    [Fact]
    public void NonFiniteStepsAreSkippedAndCounted()
    {
        var model = new NaNAfter(2);
        model.Register();
        var before = (double[]?)null;
        var trainer = new Trainer(new TrainerOptions { Epochs = 1, Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.1 }, NonFinite = NonFiniteAction.Skip, Device = "cpu" },
            new[] { new Snapshot(m => before = m) { Model = model } });
        var result = trainer.Fit(model, TinyData.Loader(TinyData.Bands(80), 16));
        Assert.Equal(3, result.SkippedSteps); // batches 3, 4 and 5 of 5
        Assert.Equal(before, Weights(model)); // no NaN reached the weights
    }

    sealed class Snapshot(Action<double[]> take) : ITrainerCallback
    {
        public nn.Module? Model { get; init; }

        public void OnBatchEnd(TrainerState state, BatchInfo batch)
        {
            if (batch.Batch == 2) take(Weights(Model!));
        }
    }

    [Fact]
    public void NonFiniteStopWritesTheLastGoodStateAndSaysWhat()
    {
        using var dir = new TempDir();
        var model = new NaNAfter(1);
        model.Register();
        var trainer = new Trainer(new TrainerOptions { Epochs = 1, Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.1 }, NonFinite = NonFiniteAction.Stop, Device = "cpu", CheckpointDir = dir.Path });
        var e = Assert.Throws<NonFiniteTrainingException>(() => trainer.Fit(model, TinyData.Loader(TinyData.Bands(64), 16)));
        Assert.Contains("batch 2", e.Message);
        Assert.Contains("learning rate", e.Message);
        Assert.True(File.Exists(e.Checkpoint));
        var restored = new NaNAfter();
        restored.Register();
        TrainingCheckpoint.LoadModel(e.Checkpoint!, restored);
        Assert.Equal(Weights(model), Weights(restored));
        Assert.All(Weights(restored), w => Assert.True(double.IsFinite(w)));
    }

    [Theory]
    [InlineData(Precision.Bf16Mixed)]
    [InlineData(Precision.Fp16Mixed)]
    public void MixedPrecisionTrainsWithFp32MasterWeightsAndReturnsAnFp32Model(Precision precision)
    {
        var data = TinyData.Bands(96);
        var model = ConvNet(6);
        var trainer = new Trainer(new TrainerOptions { Epochs = 3, Precision = precision, Optimizer = new OptimizerOptions { Name = "adamw", Lr = 0.01 }, Device = "cpu" });
        var result = trainer.Fit(model, TinyData.Loader(data, 16, shuffle: true), TinyData.Loader(data, 32));
        Assert.True(result.History[^1].Get("train_loss") < result.History[0].Get("train_loss"), $"loss {result.History[0].Get("train_loss")} -> {result.History[^1].Get("train_loss")}");
        Assert.True(result.History[^1].Get("val_accuracy") > 0.6, $"accuracy {result.History[^1].Get("val_accuracy")}");
        Assert.All(model.parameters(), p => Assert.Equal(float32, p.dtype));
    }

    [Fact]
    public void ChannelsLastTrainingKeepsNhwcWeightsLearnsAndCheckpoints()
    {
        using var dir = new TempDir();
        var data = TinyData.Bands(96);
        var model = ConvNet(7);
        var result = new Trainer(new TrainerOptions { Epochs = 3, ChannelsLast = true, Optimizer = new OptimizerOptions { Name = "adamw", Lr = 0.01 }, Device = "cpu", CheckpointDir = dir.Path })
            .Fit(model, TinyData.Loader(data, 16, shuffle: true), TinyData.Loader(data, 32));
        var restored = ConvNet(8);
        TrainingCheckpoint.LoadModel(Path.Combine(dir.Path, "last.ckpt"), restored);
        Assert.Equal(Weights(model), Weights(restored));
        var conv = model.named_parameters().Single(p => p.name == "conv.weight").parameter;
        Assert.True(ChannelsLast.Is(model.named_parameters().Single(p => p.name == "conv2.weight").parameter));
        Assert.True(ChannelsLast.Is(conv), $"strides [{string.Join(",", conv.stride())}] of [{string.Join(",", conv.shape)}]");
        Assert.True(result.History[^1].Get("val_accuracy") > 0.6, $"accuracy {result.History[^1].Get("val_accuracy")}");
    }

    sealed class Norms : ITrainerCallback
    {
        public List<double> PreClip { get; } = new();

        public void OnBatchEnd(TrainerState state, BatchInfo batch)
        {
            if (batch.GradNorm is double n) PreClip.Add(n);
        }
    }

    [Fact]
    public void ClippingByNormReportsThePreClipNormAndBoundsTheUpdate()
    {
        var data = TinyData.Bands(32);
        var norms = new Norms();
        var model = Mlp(12);
        var before = Weights(model);
        // SGD without momentum: the update is lr x the clipped gradient, so its norm is at most lr x max_norm.
        new Trainer(new TrainerOptions { Epochs = 1, ClipGradNorm = 1e-3, Optimizer = new OptimizerOptions { Name = "sgd", Lr = 1.0 }, Device = "cpu" }, new[] { norms })
            .Fit(model, TinyData.Loader(data, 32));
        Assert.Single(norms.PreClip);
        Assert.True(norms.PreClip[0] > 1e-3, $"pre-clip norm {norms.PreClip[0]}");
        var step = Math.Sqrt(Weights(model).Zip(before, (a, b) => (a - b) * (a - b)).Sum());
        Assert.True(step <= 1e-3 * 1.0001 && step > 0.9e-3, $"update norm {step}");
    }

    [Fact]
    public void ClippingByValueBoundsEveryGradientElement()
    {
        var data = TinyData.Bands(32);
        var model = Mlp(13);
        var before = Weights(model);
        new Trainer(new TrainerOptions { Epochs = 1, ClipGradValue = 1e-4, Optimizer = new OptimizerOptions { Name = "sgd", Lr = 1.0 }, Device = "cpu" })
            .Fit(model, TinyData.Loader(data, 32));
        var largest = Weights(model).Zip(before, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest <= 1e-4 * 1.0001 && largest > 0.5e-4, $"largest element update {largest}");
    }

    sealed class CancelAt(int epoch, int batch, CancellationTokenSource source) : ITrainerCallback
    {
        public void OnBatchEnd(TrainerState state, BatchInfo info)
        {
            if (state.Epoch == epoch && info.Batch == batch) source.Cancel();
        }
    }

    [Fact]
    public void InterruptedMidEpochRunResumesExactlyWhereItStopped()
    {
        var data = new ResumeData();
        using var dirA = new TempDir();
        using var dirB = new TempDir();
        var full = data.Fit(dirA.Path, 1);
        using var cancel = new CancellationTokenSource();
        var first = data.Fit(dirB.Path, 1, new ITrainerCallback[] { new CancelAt(2, 3, cancel) }, cancellation: cancel.Token);
        Assert.Equal("interrupted", first.EndReason);
        Assert.Single(first.History);
        var progress = TrainingCheckpoint.ReadMeta(Path.Combine(dirB.Path, "last.ckpt"))["epoch_progress"];
        Assert.Equal(4, (int)progress!["batches"]!); // batch 3 of a 2-batch accumulation window: stops after batch 4
        AssertSameEpochs(full, data.Fit(dirB.Path, 99, resumeFrom: Path.Combine(dirB.Path, "last.ckpt")));
    }

    /// <summary>A mid-epoch checkpoint of the engine before tasks (Oracle/pre-task) continues to the same numbers as today's uninterrupted run.</summary>
    [Fact]
    public void ACheckpointWrittenBeforeTasksResumesExactly()
    {
        var data = new ResumeData("sgd");
        using var dirA = new TempDir();
        using var dirB = new TempDir();
        var full = data.Fit(dirA.Path, 1);
        var old = Path.Combine(dirB.Path, "last.ckpt");
        File.Copy(OracleFixtures.PathOf("pre-task/last.ckpt"), old);
        Assert.NotNull(TrainingCheckpoint.ReadMeta(old)["epoch_progress"]?["loss_sum"]);
        AssertSameEpochs(full, data.Fit(dirB.Path, 99, resumeFrom: old));
    }

    /// <summary>
    /// The issue's diverging run (lr 1e6, non_finite skip) with every writer attached: no NaN ever reaches the weights or
    /// the BatchNorm statistics, metrics and checkpoints are written, and a run that cannot recover stops saying what to try.
    /// </summary>
    [Fact]
    public void ADivergingRunKeepsItsStateFiniteAndStopsWhenItCannotRecover()
    {
        using var dir = new TempDir();
        var folder = Kindling.Reporting.RunFolder.Create(dir.Path);
        var model = ConvNet(4);
        var callbacks = new ITrainerCallback[]
        {
            new Kindling.Reporting.RunFolderCallback(folder), new Kindling.Reporting.TensorBoardCallback(folder.TensorBoardDir, model),
            new Kindling.Reporting.PlotsCallback(folder.PlotsDir),
        };
        var options = new TrainerOptions
        {
            Epochs = 4, Optimizer = new OptimizerOptions { Name = "sgd", Lr = 1e6, Momentum = 0.9 }, Device = "cpu", Seed = 1,
            CheckpointDir = folder.CheckpointsDir, MaxConsecutiveSkips = 5,
        };
        NonFiniteTrainingException? stopped = null;
        try
        {
            new Trainer(options, callbacks).Fit(model, TinyData.Loader(TinyData.Bands(96), 16, shuffle: true), TinyData.Loader(TinyData.Bands(32, seed: 9), 16));
        }
        catch (NonFiniteTrainingException e)
        {
            stopped = e;
        }
        Assert.NotNull(stopped);
        Assert.Contains("kindling lr-find", stopped!.Message);
        // Whatever was saved is finite: the last checkpoint loads into finite weights and statistics.
        foreach (var path in Directory.GetFiles(folder.CheckpointsDir, "*.ckpt"))
        {
            var check = ConvNet(5);
            TrainingCheckpoint.LoadModel(path, check);
            Assert.All(check.state_dict(), kv => Assert.True(kv.Value.isfinite().all().item<bool>(), $"{path}: {kv.Key} is not finite"));
        }
        Assert.All(File.ReadAllLines(folder.MetricsPath), line => System.Text.Json.JsonDocument.Parse(line));
    }

    /// <summary>training.tf32 reaches libtorch's two TF32 switches (process-wide; no effect on the CPU, where this runs).</summary>
    [Fact]
    public void Tf32SetsLibtorchsSwitchesAndNullLeavesThem()
    {
        bool matmul = backends.cuda.matmul.allow_tf32, cudnn = backends.cudnn.allow_tf32;
        try
        {
            var options = new TrainerOptions { Epochs = 1, Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.01 }, Device = "cpu" };
            new Trainer(options with { Tf32 = !matmul }).Fit(Mlp(1), TinyData.Loader(TinyData.Bands(16), 16));
            Assert.Equal(!matmul, backends.cuda.matmul.allow_tf32);
            Assert.Equal(!matmul, backends.cudnn.allow_tf32);
            new Trainer(options).Fit(Mlp(1), TinyData.Loader(TinyData.Bands(16), 16));
            Assert.Equal(!matmul, backends.cuda.matmul.allow_tf32);
            Assert.True(Kindling.Config.Recipe.Parse("training: {tf32: true}\n").ToTrainerOptions().Tf32);
        }
        finally
        {
            backends.cuda.matmul.allow_tf32 = matmul;
            backends.cudnn.allow_tf32 = cudnn;
        }
    }
}
