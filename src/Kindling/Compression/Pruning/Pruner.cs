using System.Diagnostics;
using Kindling.Compression.Channels;
using Kindling.Compression.Fusion;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Runtime;
using Kindling.Training;
using Kindling.Training.Callbacks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Compression.Pruning;

/// <summary>
/// The seeds' pruning workflow (5.2): measure, prune a step, fine-tune with the full <see cref="Trainer"/> and the
/// run's own trainer options (the masks holding pruned weights at zero), repeat to the final amount, make the
/// pruning permanent and, for structured pruning, remove the pruned channels. It takes plain pieces; a recipe's
/// run is turned into them one floor up (<c>Config.Tools.RecipePruning</c>).
/// </summary>
public static class Pruner
{
    /// <summary>
    /// Prunes <paramref name="model"/> (its weights already loaded) in place, validating on <paramref name="validation"/>,
    /// and returns what was measured. Callbacks see the fine-tuning (progress display).
    /// </summary>
    /// <param name="model">The trained model.</param>
    /// <param name="trainLoader">The fine-tuning data; with <see cref="PruneOptions.FinetuneSamples"/> a fixed subset of its data set is taken, with the same loader options and transform.</param>
    /// <param name="validation">Where accuracy is measured.</param>
    /// <param name="trainer">The fine-tuning's options (its device, seed and top-k are also used to measure); epochs, checkpoints and early stopping are overridden.</param>
    /// <param name="options">How much and how to prune.</param>
    /// <param name="log">Progress, one line each.</param>
    /// <param name="callbacks">Extra trainer callbacks for the fine-tuning.</param>
    public static PruneResult Run(nn.Module<Tensor, Tensor> model, DataLoader trainLoader, DataLoader validation, TrainerOptions trainer, PruneOptions options,
        Action<string>? log = null, IEnumerable<ITrainerCallback>? callbacks = null)
    {
        options.Validate();
        log ??= _ => { };
        var trainSet = trainLoader.Dataset;
        var device = Devices.Resolve(trainer.Device);
        double Accuracy() => Evaluator.Evaluate(model, validation, validation.Dataset.Classes.Count, device, trainer.TopK).Accuracy;
        long Count() => model.parameters().Sum(p => p.numel());

        var widthsBefore = ChannelPlan.Widths(model);
        long parametersBefore = Count();
        var groups = options.Structured ? ChannelTopology.Of(model) : null;
        double before = Accuracy();
        log($"accuracy before pruning: {before:P2}");

        using var subsetLoader = options.FinetuneSamples is int samples && samples < trainSet.Count
            ? new DataLoader(new SubsetDataset(trainSet, Subset(trainSet.Count, samples, trainer.Seed)), trainLoader.Options, trainLoader.Transform)
            : null;
        var steps = new List<PruneStep>();
        IReadOnlyList<long[]>? kept = null;
        SparsityReport sparsity;
        using (var pruned = new PrunedModel(model))
        {
            for (int step = 1; step <= options.IterativeSteps; step++)
            {
                double target = options.TargetAfter(step);
                if (groups is not null) kept = ChannelPruning.Mask(model, pruned, groups, target, options.N);
                else PruneWeights(model, pruned, options, options.TargetAfter(step - 1), target);
                double afterPrune = Accuracy();
                log($"step {step}/{options.IterativeSteps}: pruned to {target:P1}, accuracy {afterPrune:P2}");
                double? afterFinetune = null;
                var watch = Stopwatch.StartNew();
                if (options.FinetuneEpochs > 0)
                {
                    var trainerOptions = trainer with { Epochs = options.FinetuneEpochs, CheckpointDir = null, EarlyStopping = null };
                    var fit = new Trainer(trainerOptions, (callbacks ?? []).Append(pruned)).Fit(model, subsetLoader ?? trainLoader, validation);
                    // The last epoch's validation is of the final weights, with the masks applied.
                    afterFinetune = fit.History[^1].Get("val_accuracy") ?? Accuracy();
                    log($"step {step}/{options.IterativeSteps}: fine-tuned {options.FinetuneEpochs} epoch(s) in {watch.Elapsed.TotalSeconds:F0} s, accuracy {afterFinetune:P2}");
                }
                steps.Add(new PruneStep(step, target, afterPrune, afterFinetune, watch.Elapsed.TotalSeconds));
            }
            sparsity = SparsityReport.Of(model);
            pruned.Remove();
        }
        if (groups is not null) ChannelPruning.Shrink(model, groups, kept!);
        double final = groups is null ? steps[^1].AccuracyAfterFinetune ?? steps[^1].AccuracyAfterPrune : Accuracy();
        if (groups is not null) log($"channels removed: {parametersBefore:N0} -> {Count():N0} parameters, accuracy {final:P2}");
        return new PruneResult(before, steps, final, sparsity, parametersBefore, Count(), widthsBefore, ChannelPlan.Widths(model));
    }

    /// <summary>A fixed random choice of <paramref name="count"/> of <paramref name="total"/> indices.</summary>
    static IEnumerable<int> Subset(int total, int count, long seed)
    {
        var indices = Enumerable.Range(0, total).ToArray();
        new Random((int)seed).Shuffle(indices);
        return indices.Take(count).Order();
    }

    /// <summary>Unstructured L1 step from sparsity <paramref name="from"/> to <paramref name="to"/> of the conv and linear weights.</summary>
    static void PruneWeights(nn.Module model, PrunedModel pruned, PruneOptions options, double from, double to)
    {
        // Each call prunes a fraction of what is left (PyTorch's container), so the step's share of the remainder reaches `to` exactly.
        double amount = from >= 1 ? 0 : (to - from) / (1 - from);
        var names = model.named_modules().Where(m => FusionTrace.IsFoldable(m.module)).Select(m => m.name + ".weight").ToList();
        var weights = names.Select(n => (Tensor)model.named_parameters().First(p => p.name == n).parameter).ToList();
        using var scope = NewDisposeScope();
        if (options.Global)
        {
            var masks = MagnitudeMasks.GlobalL1Unstructured(weights, amount, names.Select(pruned.MaskOf).ToList());
            for (int i = 0; i < names.Count; i++) pruned.Apply(names[i], masks[i]);
        }
        else
            for (int i = 0; i < names.Count; i++)
                pruned.Apply(names[i], MagnitudeMasks.L1Unstructured(weights[i], amount, pruned.MaskOf(names[i])));
    }
}
