using Kindling.Data.Loading;
using Kindling.Optim;
using Kindling.Optim.Schedulers;
using Kindling.Runtime;
using Kindling.Training;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>
/// The linear probe: a linear classifier trained by the engine (<see cref="Trainer"/>, <see cref="ClassificationTask"/>) on an
/// encoder's frozen, cached features, its top-1 on the evaluation features after the last epoch. The features are
/// standardized with the training features' per-dimension mean and standard deviation first, so one learning rate suits
/// any encoder (a random encoder's features are on another scale than a trained one's); a linear map on standardized
/// features is still a linear map on the features.
/// </summary>
public static class LinearProbe
{
    /// <summary>Top-1 accuracy on <paramref name="eval"/> of a linear classifier trained on <paramref name="train"/>.</summary>
    public static double Accuracy(FrozenFeatures train, FrozenFeatures eval, int classes, LinearProbeOptions? options = null)
    {
        var o = options ?? new LinearProbeOptions();
        if (train.Features.shape[1] != eval.Features.shape[1])
            throw new ArgumentException($"training features are {train.Features.shape[1]} wide but evaluation features {eval.Features.shape[1]}.");
        using var scope = NewDisposeScope();
        var mean = train.Features.mean([0], keepdim: true);
        var std = train.Features.std(0, keepdim: true).clamp_min(1e-6);
        var x = (train.Features - mean) / std;
        var xEval = (eval.Features - mean) / std;
        Seeding.SeedTorch(o.Seed);
        using var classifier = nn.Linear(train.Features.shape[1], classes);
        using var task = new ClassificationTask(classifier, classes);
        using var trainLoader = new TensorLoader(x, train.Labels, o.BatchSize, shuffle: true, seed: o.Seed);
        using var evalLoader = new TensorLoader(xEval, eval.Labels, Math.Max(o.BatchSize, 1024));
        var trainer = new Trainer(new TrainerOptions
        {
            Epochs = o.Epochs,
            Optimizer = new OptimizerOptions { Name = "adam", Lr = o.Lr, WeightDecay = o.WeightDecay },
            Schedule = new ScheduleOptions { Name = "cosine_annealing_lr" },
            Device = "cpu",
            Seed = o.Seed,
            Threads = o.Threads,
        });
        var result = trainer.Fit(task, trainLoader, evalLoader);
        return result.History[^1].Get("val_accuracy") ?? throw new InvalidOperationException("the linear probe measured no val_accuracy.");
    }
}
