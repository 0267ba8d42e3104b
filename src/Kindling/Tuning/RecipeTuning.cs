using System.Globalization;
using Kindling.Config;
using Kindling.Data.Datasets;
using Kindling.Losses;
using Kindling.Runtime;
using TorchSharp;

namespace Kindling.Tuning;

/// <summary>
/// The tuners on a recipe: the LR range test and the batch-size finder with the recipe's data, augmentation,
/// model, optimizer, loss and clipping, and <see cref="Resolve"/>, which turns <c>optimizer.lr: auto</c> and
/// <c>data.batch_size: auto</c> into numbers before a run is built.
/// </summary>
public static class RecipeTuning
{
    /// <summary>Whether the recipe has a value left to a tuner.</summary>
    public static bool HasAuto(Recipe recipe) => recipe.Optimizer.LrIsAuto || recipe.Data.BatchSizeIsAuto;

    /// <summary>The recipe with the chosen auto values set back to their placeholders, so it can be built for probing.</summary>
    /// <param name="recipe">A loaded recipe.</param>
    /// <param name="lr">Clear <c>optimizer.lr: auto</c>.</param>
    /// <param name="batchSize">Clear <c>data.batch_size: auto</c>.</param>
    public static Recipe WithoutAuto(Recipe recipe, bool lr = true, bool batchSize = true) => recipe with
    {
        Optimizer = recipe.Optimizer with { LrIsAuto = recipe.Optimizer.LrIsAuto && !lr },
        Data = recipe.Data with { BatchSizeIsAuto = recipe.Data.BatchSizeIsAuto && !batchSize },
    };

    /// <summary>The range test on a built recipe: its model (moved to the recipe's device), augmented training loader, optimizer, loss and gradient clipping.</summary>
    /// <param name="run">From <see cref="RecipeBuilder.Build"/>; its model is left as it was.</param>
    /// <param name="options">The sweep; its clipping defaults to the recipe's clip_grad_norm.</param>
    /// <param name="onStep">Called after every recorded step (progress).</param>
    /// <param name="cancellation">Stops the sweep after the current step.</param>
    public static LrFinderResult FindLr(RecipeRun run, LrFinderOptions? options = null, Action<LrFinderPoint>? onStep = null, CancellationToken cancellation = default)
    {
        var r = run.Recipe;
        Prepare(run);
        var o = options ?? new LrFinderOptions();
        o = o with { ClipGradNorm = o.ClipGradNorm ?? r.Training.ClipGradNorm };
        return new LrFinder(o).Run(run.Model, run.TrainLoader, r.Optimizer.ToOptions(), new CrossEntropy(r.Loss.LabelSmoothing), onStep, cancellation);
    }

    /// <summary>The batch-size finder on a built recipe: its model (on the recipe's device), training set and augmentation, optimizer and loss.</summary>
    public static BatchSizeResult FindBatchSize(RecipeRun run, BatchSizeFinderOptions? options = null, Action<BatchSizeProbe>? onProbe = null)
    {
        var r = run.Recipe;
        Prepare(run);
        return new BatchSizeFinder(options).Run(run.Model, run.TrainSet, run.TrainTransform, r.Optimizer.ToOptions(), new CrossEntropy(r.Loss.LabelSmoothing), onProbe);
    }

    /// <summary>
    /// Which suggestion <c>lr: auto</c> takes: one tenth of the minimum under one_cycle_lr, whose warm-up makes a
    /// peak near the loss's floor safe (fastai's advice for fit_one_cycle); the steepest descent otherwise, where
    /// the LR starts at its highest.
    /// </summary>
    public static LrSuggestion SuggestionFor(Recipe recipe) =>
        recipe.Schedule.Name.Trim().ToLowerInvariant() == "one_cycle_lr" ? LrSuggestion.MinimumTenth : LrSuggestion.Steepest;

    /// <summary>
    /// Chooses the recipe's <c>auto</c> values: the batch size first (the LR depends on it), then the learning rate,
    /// each on a freshly built run of the recipe. Returns the recipe unchanged when nothing is auto.
    /// </summary>
    /// <param name="recipe">A loaded recipe.</param>
    /// <param name="open">How to open the data.</param>
    /// <param name="log">Progress and the choices, one line each.</param>
    /// <param name="lrOptions">The range test's settings; null: the defaults.</param>
    /// <param name="batchOptions">The batch-size search's settings; null: the defaults.</param>
    public static TunedRecipe Resolve(Recipe recipe, DataOpenOptions? open = null, Action<string>? log = null,
        LrFinderOptions? lrOptions = null, BatchSizeFinderOptions? batchOptions = null)
    {
        var notes = new List<string>();
        LrFinderResult? lrFind = null;
        BatchSizeResult? batch = null;
        if (recipe.Data.BatchSizeIsAuto)
        {
            log?.Invoke("data.batch_size: auto: probing batch sizes...");
            using (var run = RecipeBuilder.Build(WithoutAuto(recipe), open))
                batch = FindBatchSize(run, batchOptions, p => log?.Invoke("  " + Describe(p)));
            recipe = recipe with { Data = recipe.Data with { BatchSize = batch.BatchSize, BatchSizeIsAuto = false } };
            var note = $"data.batch_size: {batch.BatchSize} chosen by the batch-size finder ({batch.Method}, limited by {batch.Limit}" +
                       (batch.Fit is { } f ? $"; {BatchSizeSearch.Bytes(f.FixedBytes)} fixed + {BatchSizeSearch.Bytes(f.BytesPerSample)} per sample" : "") + ")";
            if (!recipe.Optimizer.LrIsAuto)
                note += recipe.Optimizer.BaseBatchSize is int b
                    ? $"; optimizer.base_batch_size {b} scales lr linearly to {Show(recipe.Optimizer.Lr * batch.BatchSize * recipe.Training.AccumulationSteps / b)}"
                    : $"; lr {Show(recipe.Optimizer.Lr)} kept as given (set optimizer.base_batch_size, or lr: auto, to fit it to the batch)";
            notes.Add(note);
            log?.Invoke(note);
        }
        if (recipe.Optimizer.LrIsAuto)
        {
            var suggestion = SuggestionFor(recipe);
            log?.Invoke("optimizer.lr: auto: running the LR range test...");
            using (var run = RecipeBuilder.Build(WithoutAuto(recipe), open))
                lrFind = FindLr(run, lrOptions);
            double lr = lrFind.Suggest(suggestion);
            // The factory multiplies lr by effective batch / base_batch_size: store what makes the product the found rate.
            double stored = recipe.Optimizer.BaseBatchSize is int b ? lr * b / (recipe.Data.BatchSize * recipe.Training.AccumulationSteps) : lr;
            recipe = recipe with { Optimizer = recipe.Optimizer with { Lr = stored, LrIsAuto = false } };
            var note = $"optimizer.lr: {Show(stored)} chosen by the LR range test: {(suggestion == LrSuggestion.MinimumTenth ? "one tenth of the minimum" : "the steepest descent")} " +
                       $"(steepest {Show(lrFind.Steepest)}, minimum {Show(lrFind.MinimumLr)}, minimum/10 {Show(lrFind.MinimumTenth)}; {lrFind.Points.Count} steps, {lrFind.StopReason.Split(':')[0]})" +
                       (stored != lr ? $"; base_batch_size scales it to {Show(lr)}" : "");
            notes.Add(note);
            log?.Invoke(note);
        }
        return new TunedRecipe(recipe, notes, lrFind, batch);
    }

    /// <summary>One probe as a line of text.</summary>
    public static string Describe(BatchSizeProbe p) =>
        $"batch {p.BatchSize,5}: " + (p.Fits ? "fits" : "does not fit") +
        (p.PeakBytes is long m ? $", peak {BatchSizeSearch.Bytes(m)}" : "") +
        (p.ImagesPerSecond is double s ? $", {s.ToString("N0", CultureInfo.InvariantCulture)} img/s" : "") +
        (p.Failure is null ? "" : $" ({p.Failure})");

    static void Prepare(RecipeRun run)
    {
        var t = run.Recipe.Training;
        if (t.Threads is int threads) torch.set_num_threads(threads);
        run.Model.to(Devices.Resolve(t.Device));
    }

    static string Show(double? v) => v?.ToString("G3", CultureInfo.InvariantCulture) ?? "-";
}
