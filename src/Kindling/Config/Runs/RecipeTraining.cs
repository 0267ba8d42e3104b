using System.Globalization;
using Kindling.Config.Tools;
using Kindling.Data.Datasets;
using Kindling.Distributed;
using Kindling.Generative;
using Kindling.Reporting;
using Kindling.Runtime;
using Kindling.SelfSupervised;
using Kindling.Training;
using Kindling.Training.Tasks;
using Kindling.Training.Callbacks;

namespace Kindling.Config.Runs;

/// <summary>
/// A recipe trained into a run folder: what <c>kindling train</c> does, callable from C# (a sweep
/// trains each trial with it). <see cref="Open"/> chooses <c>auto</c> values, builds the run and writes config.yaml and
/// environment.json (on a fresh run); <see cref="Fit"/> trains with the folder's callbacks
/// (metrics.jsonl, summary.json, TensorBoard, plots) plus the caller's; <see cref="Finish"/> evaluates
/// the test split and writes the final summary and report.md.
/// </summary>
/// <example><code>
/// using var training = RecipeTraining.Open(Recipe.Load("configs/fashion-mnist-fast.yaml"), RunFolder.Create("runs/a"));
/// var result = training.Fit();
/// if (result.EndReason != "interrupted") training.Finish(result);
/// </code></example>
public sealed class RecipeTraining : IDisposable
{
    readonly RunFolderCallback folderCallback;
    readonly List<ITrainerCallback> callbacks = new();
    readonly PlotsCallback? plots;
    readonly ReconstructionPreviewCallback? reconstruction;

    RecipeTraining(RecipeRun run, RunFolder folder, string? resumeFrom)
    {
        Run = run;
        Folder = folder;
        ResumeFrom = resumeFrom;
        folderCallback = new RunFolderCallback(folder, run.TrainerOptions.Monitor);
        // Every rank keeps the budget (the Trainer makes their stops agree).
        if (run.Recipe.Training.TimeBudgetMinutes is { } minutes) callbacks.Add(new StopAtTimeBudget(TimeSpan.FromMinutes(minutes)));
        // Ranks other than 0 of a data-parallel job train the same model and write nothing.
        if (!run.WritesRunFolder) return;
        callbacks.Add(folderCallback);
        if (run.Recipe.Logging.Tensorboard) callbacks.Add(new TensorBoardCallback(folder.TensorBoardDir, run.Task.Network, Hyperparameters(run.Recipe)));
        if (run.Recipe.Logging.Plots) callbacks.Add(plots = new PlotsCallback(folder.PlotsDir, run.Classes));
        // A task that reconstructs (MAE) gets its picture in plots/: masked input, reconstruction, original.
        if (run.Recipe.Logging.Plots && run.Task is IReconstructionPreview preview)
            callbacks.Add(reconstruction = new ReconstructionPreviewCallback(preview, PreviewImages(run), folder.PlotsDir,
                run.Normalization.Mean, run.Normalization.Std, run.Recipe.Training.Seed));
        // A generative task's samples: grids in plots/ every epoch and at the end, and TensorBoard images.
        if (run.Task is IImageGenerator generator && run.Recipe.Logging.Plots)
            callbacks.Add(new SampleGridCallback(generator, folder.PlotsDir, run.Recipe.Data.Mean.Values, run.Recipe.Data.Std.Values,
                run.Recipe.Logging.Tensorboard ? folder.TensorBoardDir : null) { Seed = run.Recipe.Training.Seed });
    }

    // Eight held-out images (stratified when labelled) through the eval transform: the same every epoch.
    static TorchSharp.torch.Tensor PreviewImages(RecipeRun run)
    {
        var set = run.ValidationSet ?? run.TrainSet;
        var indices = SampleGrid.Pick(set, 8, (int)run.Recipe.Training.Seed);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var s = set.Shape;
        var images = indices.Select(i => run.EvalTransform.Apply(TorchSharp.torch.tensor(set.GetImage(i, PixelLayout.Chw).Pixels).view(s.Channels, s.Height, s.Width), new Random(i))).ToArray();
        return TorchSharp.torch.stack(images).MoveToOuterDisposeScope();
    }

    /// <summary>The built run (data, loaders, model, trainer options).</summary>
    public RecipeRun Run { get; }

    /// <summary>Where the run is recorded.</summary>
    public RunFolder Folder { get; }

    /// <summary>The checkpoint training continues from, or null for a fresh run.</summary>
    public string? ResumeFrom { get; }

    /// <summary>
    /// Builds <paramref name="recipe"/>'s run for <paramref name="folder"/>. A fresh run (no
    /// <paramref name="resumeFrom"/>) writes the resolved recipe and the environment into the folder.
    /// </summary>
    /// <param name="recipe">The recipe (validated again when built).</param>
    /// <param name="folder">The run folder (from <see cref="RunFolder.Create"/>).</param>
    /// <param name="resumeFrom">A last.ckpt to continue from, or null.</param>
    /// <param name="open">How to open the data; null: defaults.</param>
    /// <param name="commandLine">Recorded in environment.json.</param>
    /// <param name="world">The data-parallel job this process is a rank of (null: this process alone): rank 0 alone writes the folder.</param>
    /// <exception cref="FileNotFoundException"><paramref name="resumeFrom"/> does not exist.</exception>
    public static RecipeTraining Open(Recipe recipe, RunFolder folder, string? resumeFrom = null, DataOpenOptions? open = null, string? commandLine = null,
        ICommunicator? world = null)
    {
        if (resumeFrom is not null && !File.Exists(resumeFrom))
            throw new FileNotFoundException($"{folder.Root} has no checkpoint {resumeFrom} to resume from.", resumeFrom);
        if (world is { Size: > 1 } && resumeFrom is null && RecipeTuning.HasAuto(recipe))
            throw new RecipeException("recipe", ["optimizer.lr: auto, data.batch_size: auto and training.epochs: auto are chosen in one process: run `kindling lr-find` / `kindling batch-size` " +
                "(or train once without mpirun), then write the numbers into the recipe; data.batch_size is the global batch."]);
        // lr, batch_size and epochs: auto are chosen before the run is built; a resumed run's config.yaml has the numbers.
        var tuned = resumeFrom is null && RecipeTuning.HasAuto(recipe) ? RecipeTuning.Resolve(recipe, open, open?.Log) : null;
        var run = RecipeBuilder.Build(tuned?.Recipe ?? recipe, open, world);
        try
        {
            if (resumeFrom is null && run.WritesRunFolder)
            {
                folder.WriteConfig((tuned?.ConfigHeader ?? "") + run.Recipe.ToYaml());
                tuned?.Save(folder);
                folder.WriteEnvironment(RunEnvironment.Capture(run.Recipe.Training.Device, commandLine ?? Environment.CommandLine));
            }
            return new RecipeTraining(run, folder, resumeFrom);
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>Trains (or continues) the run with the folder's callbacks and <paramref name="extra"/> ones (progress, stop rules).</summary>
    /// <param name="extra">More callbacks, called after the folder's.</param>
    /// <param name="cancellation">Finishes the current step, writes last.ckpt and ends with end reason "interrupted".</param>
    /// <param name="adjust">Changes the trainer options first (a profiler, anomaly mode).</param>
    public FitResult Fit(IEnumerable<ITrainerCallback>? extra = null, CancellationToken cancellation = default, Func<TrainerOptions, TrainerOptions>? adjust = null)
    {
        var options = Run.TrainerOptions with { CheckpointDir = Folder.CheckpointsDir };
        if (adjust is not null) options = adjust(options);
        return new Trainer(options, callbacks.Concat(extra ?? [])).Fit(Run.Task, Run.TrainLoader, Run.ValidationLoader, ResumeFrom, cancellation);
    }

    /// <summary>
    /// After a fit that was not interrupted: evaluates the chosen model (the best checkpoint when
    /// validation picked one) on the test split, and writes summary.json with the test metrics, the
    /// test plots, report.md and the run's TensorBoard HParams session (the recipe's main keys).
    /// </summary>
    /// <returns>The summary written and the test split's result (null without a test split).</returns>
    /// <exception cref="InvalidOperationException">Called on a rank other than 0 of a data-parallel job, which writes nothing.</exception>
    public (RunSummary Summary, EvalResult? Test) Finish(FitResult result)
    {
        if (!Run.WritesRunFolder) throw new InvalidOperationException("only rank 0 of a data-parallel job evaluates the test split and writes the run folder.");
        EvalResult? test = null;
        IReadOnlyDictionary<string, double>? testMetrics = null;
        if (Run.TestLoader is not null)
        {
            if (result.BestCheckpoint is not null && !Run.ValidatesOnTest) TrainingCheckpoint.LoadModel(result.BestCheckpoint, Run.Task.Network);
            var device = Devices.Resolve(Run.Recipe.Training.Device);
            // A classifier's test result keeps its per-class table and plots; any other task reports its validation metrics on the test split.
            if (Run.Task is ClassificationTask classifier)
                test = Evaluator.Evaluate(classifier.Model, Run.TestLoader, Run.Classes.Count, device, Run.TrainerOptions.TopK);
            else testMetrics = Trainer.Evaluate(Run.Task, Run.TestLoader, device, channelsLast: Run.TrainerOptions.ChannelsLast)?.Metrics;
        }
        var summary = folderCallback.WriteSummary(result, test, testMetrics);
        if (Run.Recipe.Logging.Tensorboard) WriteHParamsSession(result);
        if (plots is not null && test is not null) plots.WriteEvaluationPlots(test, "test-");
        ReportWriter.Write(Folder, summary, test ?? folderCallback.LastValidation, test is not null ? "test" : "validation", Run.Classes);
        return (summary, test);
    }

    // The HParams tab lists every run of a log folder with these values; its metrics are the run's own scalars.
    void WriteHParamsSession(FitResult result)
    {
        var end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var start = end - result.History.Sum(h => h.Seconds);
        EventFileWriter.Write(Path.Combine(Folder.TensorBoardDir, HParamsSummary.EventFileName),
            [HParamsSummary.SessionStart(Hyperparameters(Run.Recipe), start, Folder.CheckpointsDir), HParamsSummary.SessionEnd(HParamsSummary.Status.Success, end)], end);
    }

    /// <summary>The recipe keys recorded as TensorBoard hyperparameters.</summary>
    public static Dictionary<string, string> Hyperparameters(Recipe r) => new()
    {
        ["model"] = r.Model.Name,
        ["optimizer"] = r.Optimizer.Name,
        ["lr"] = r.Optimizer.Lr.ToString(CultureInfo.InvariantCulture),
        ["weight_decay"] = r.Optimizer.WeightDecay.ToString(CultureInfo.InvariantCulture),
        ["schedule"] = r.Schedule.Name,
        ["batch_size"] = r.Data.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["epochs"] = r.Training.Epochs.ToString(CultureInfo.InvariantCulture),
        ["label_smoothing"] = r.Loss.LabelSmoothing.ToString(CultureInfo.InvariantCulture),
    };

    /// <inheritdoc/>
    public void Dispose()
    {
        reconstruction?.Dispose();
        Run.Dispose();
    }
}
