using System.Globalization;
using Kindling.Config.Runs;
using Kindling.Data.Datasets;
using Kindling.Tuning.BatchSize;
using Kindling.Tuning.LrFinding;

namespace Kindling.Config.Tools;

/// <summary>
/// The tuners on a recipe: the LR range test and the batch-size finder on the recipe's task (its training step) and
/// trainer options, with its data and augmentation, and <see cref="Resolve"/>, which turns <c>optimizer.lr: auto</c>,
/// <c>data.batch_size: auto</c> and <c>training.epochs: auto</c> (<see cref="RecipeTimeBudget"/>) into numbers before a run is built.
/// </summary>
public static class RecipeTuning
{
    /// <summary>Whether the recipe has a value left to a tuner.</summary>
    public static bool HasAuto(Recipe recipe) => recipe.Optimizer.LrIsAuto || recipe.Data.BatchSizeIsAuto || recipe.Training.EpochsIsAuto;

    /// <summary>The recipe with the chosen auto values set back to their placeholders, so it can be built for probing.</summary>
    /// <param name="recipe">A loaded recipe.</param>
    /// <param name="lr">Clear <c>optimizer.lr: auto</c>.</param>
    /// <param name="batchSize">Clear <c>data.batch_size: auto</c>.</param>
    /// <param name="epochs">Clear <c>training.epochs: auto</c> (the probes then build the run with the placeholder's epochs).</param>
    public static Recipe WithoutAuto(Recipe recipe, bool lr = true, bool batchSize = true, bool epochs = true) => recipe with
    {
        Optimizer = recipe.Optimizer with { LrIsAuto = recipe.Optimizer.LrIsAuto && !lr },
        Data = recipe.Data with { BatchSizeIsAuto = recipe.Data.BatchSizeIsAuto && !batchSize },
        Training = recipe.Training with { EpochsIsAuto = recipe.Training.EpochsIsAuto && !epochs },
    };

    /// <summary>
    /// The range test on a built recipe: its task's own training step (loss, mixing, teacher) with its trainer options
    /// (optimizer, precision, channels-last, accumulation, clipping, device) and its augmented training loader.
    /// </summary>
    /// <param name="run">From <see cref="RecipeBuilder.Build"/>; its model is left as it was.</param>
    /// <param name="options">The sweep; its clipping defaults to the recipe's clip_grad_norm.</param>
    /// <param name="onStep">Called after every recorded step (progress).</param>
    /// <param name="cancellation">Stops the sweep after the current step.</param>
    public static LrFinderResult FindLr(RecipeRun run, LrFinderOptions? options = null, Action<LrFinderPoint>? onStep = null, CancellationToken cancellation = default) =>
        new LrFinder(options).Run(run.Task, run.TrainLoader, run.TrainerOptions, onStep, cancellation);

    /// <summary>The batch-size finder on a built recipe: its task's training step with its trainer options, its training set and augmentation.</summary>
    public static BatchSizeResult FindBatchSize(RecipeRun run, BatchSizeFinderOptions? options = null, Action<BatchSizeProbe>? onProbe = null) =>
        new BatchSizeFinder(options).Run(run.Task, run.TrainSet, run.TrainTransform, run.TrainerOptions, onProbe);

    /// <summary>
    /// The learning rate <c>lr: auto</c> takes from a range test, and how. The test ramps the rate up from the
    /// initial weights, as a warm-up does: under a warm-up (one_cycle_lr, or warmup_steps) the run reaches its
    /// peak only after such a ramp, so the larger of the two suggestions is used; without one the run starts at
    /// its highest rate from the initial weights, so the smaller, more cautious one is used.
    /// </summary>
    /// <exception cref="InvalidOperationException">The curve is too short for either suggestion.</exception>
    public static (double Lr, string How) ChooseLr(Recipe recipe, LrFinderResult result)
    {
        var candidates = new[] { (Lr: result.Steepest, Name: "steepest descent"), (Lr: result.MinimumTenth, Name: "minimum / 10") }.Where(c => c.Lr is not null).ToList();
        if (candidates.Count == 0) result.Suggest(LrSuggestion.Steepest); // throws with the reason
        bool warmup = recipe.Schedule.Name.Trim().ToLowerInvariant() == "one_cycle_lr" || recipe.Schedule.WarmupSteps > 0;
        var pick = warmup ? candidates.MaxBy(c => c.Lr)! : candidates.MinBy(c => c.Lr)!;
        string rule = candidates.Count == 1 ? "the only suggestion" : warmup ? "the larger suggestion, as the schedule warms up" : "the smaller suggestion, as the schedule starts at its peak";
        return (pick.Lr!.Value, $"{pick.Name}, {rule}");
    }

    /// <summary>
    /// Chooses the recipe's <c>auto</c> values: the batch size first (the LR and a step's time depend on it), then the
    /// learning rate, then the epochs that fit the time budget, each on a freshly built run of the recipe. Returns the recipe
    /// unchanged when nothing is auto.
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
            log?.Invoke("optimizer.lr: auto: running the LR range test...");
            using (var run = RecipeBuilder.Build(WithoutAuto(recipe), open))
                lrFind = FindLr(run, lrOptions);
            var (lr, how) = ChooseLr(recipe, lrFind);
            // The factory multiplies lr by effective batch / base_batch_size: store what makes the product the found rate.
            double stored = recipe.Optimizer.BaseBatchSize is int b ? lr * b / (recipe.Data.BatchSize * recipe.Training.AccumulationSteps) : lr;
            recipe = recipe with { Optimizer = recipe.Optimizer with { Lr = stored, LrIsAuto = false } };
            var note = $"optimizer.lr: {Show(stored)} chosen by the LR range test: {how} " +
                       $"(steepest {Show(lrFind.Steepest)}, minimum {Show(lrFind.MinimumLr)}, minimum/10 {Show(lrFind.MinimumTenth)}; {lrFind.Points.Count} steps, {lrFind.StopReason.Split(':')[0]})" +
                       (stored != lr ? $"; base_batch_size scales it to {Show(lr)}" : "");
            notes.Add(note);
            log?.Invoke(note);
        }
        if (recipe.Training.EpochsIsAuto)
        {
            var (timed, note) = RecipeTimeBudget.Resolve(WithoutAuto(recipe, epochs: false), open, log);
            recipe = timed;
            notes.Add(note);
        }
        return new TunedRecipe(recipe, notes, lrFind, batch);
    }

    /// <summary>One probe as a line of text.</summary>
    public static string Describe(BatchSizeProbe p) =>
        $"batch {p.BatchSize,5}: " + (p.Fits ? "fits" : "does not fit") +
        (p.PeakBytes is long m ? $", peak {BatchSizeSearch.Bytes(m)}" : "") +
        (p.ImagesPerSecond is double s ? $", {s.ToString("N0", CultureInfo.InvariantCulture)} img/s" : "") +
        (p.Failure is null ? "" : $" ({p.Failure})");

    static string Show(double? v) => v?.ToString("G3", CultureInfo.InvariantCulture) ?? "-";
}
