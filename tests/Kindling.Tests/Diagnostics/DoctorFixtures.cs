using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Diagnostics.Doctor;
using Kindling.Losses;
using Kindling.Optim;
using Kindling.Tests.Training;
using Kindling.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Diagnostics;

/// <summary>A correct tiny recipe (normalized, shuffled bands data; a conv net with BatchNorm and ReLU) and the pieces to break it.</summary>
static class DoctorFixtures
{
    public static nn.Module<Tensor, Tensor> ConvNet(long seed = 3)
    {
        manual_seed(seed);
        return nn.Sequential(("conv1", nn.Conv2d(1, 8, 3, padding: 1)), ("bn1", nn.BatchNorm2d(8)), ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(8, 8, 3, padding: 1)), ("bn2", nn.BatchNorm2d(8)), ("relu2", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(new long[] { 2, 2 })), ("flat", nn.Flatten()), ("fc", nn.Linear(32, 3)));
    }

    public static ISampleTransform Normalized(IImageDataset data)
    {
        var stats = ChannelStatistics.Compute(data);
        return new Compose(new ToTensor(), new Normalize(stats.Mean, stats.Std));
    }

    public static DoctorSubject Subject(nn.Module<Tensor, Tensor>? model = null, IImageDataset? data = null, int batch = 32, bool shuffle = true,
        ISampleTransform? train = null, ISampleTransform? eval = null, TrainerOptions? trainer = null, ILoss? loss = null, bool dropLast = false)
    {
        data ??= TinyData.Bands(128);
        var normalized = Normalized(data);
        train ??= normalized;
        eval ??= normalized;
        return new DoctorSubject
        {
            Model = model ?? ConvNet(),
            TrainLoader = new DataLoader(data, new DataLoaderOptions { BatchSize = batch, Shuffle = shuffle, Seed = 1, DropLast = dropLast }, train),
            TrainTransform = train,
            EvalTransform = eval,
            // One libtorch thread: on a loaded 2-core machine two spin-waiting threads make these tiny steps several times slower.
            Trainer = (trainer ?? new TrainerOptions { Optimizer = new OptimizerOptions { Name = "adamw", Lr = 1e-3, WeightDecay = 0.01 } }) with { Device = "cpu", Threads = 1 },
            Loss = loss,
        };
    }

    /// <summary>Runs the doctor (every check, or only <paramref name="checks"/>); the slow checks with short sweeps, to keep the tests fast.</summary>
    public static DoctorReport Examine(DoctorSubject subject, bool slow = false, params IDoctorCheck[] checks) =>
        Examine(subject, new DoctorOptions { SkipSlow = !slow, LrFinderSteps = 40 }, checks);

    public static DoctorReport Examine(DoctorSubject subject, DoctorOptions options, params IDoctorCheck[] checks)
    {
        using (subject.TrainLoader)
            return new Doctor(checks.Length > 0 ? checks : null).Run(subject, options);
    }

    public static string Show(DoctorReport report) =>
        string.Join("\n", report.Findings.Select(f => $"{f.Severity} {f.Check}: {f.Message}"));
}
