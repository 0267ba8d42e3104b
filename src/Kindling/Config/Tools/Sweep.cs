using System.Globalization;
using Kindling.Config.Runs;
using Kindling.Config.Yaml;
using Kindling.Reporting;
using Kindling.Training;
using Kindling.Training.Callbacks;
using Kindling.Tuning.Sweeps;

namespace Kindling.Config.Tools;

/// <summary>
/// A grid or random search over recipe keys. Each trial is a normal run folder under the sweep's
/// trials/ folder, trained with <see cref="RecipeTraining"/> exactly as <c>kindling train</c> trains;
/// sweep.json records every trial's state, so <see cref="Resume"/> continues a killed sweep with the
/// trials not yet finished (a trial killed mid-way continues from its last checkpoint). With
/// successive halving, trials are stopped at each rung's epoch budget and the promoted ones continue
/// from their checkpoints. At the end: the table ranked by the metric (sweep.md, sweep.csv, via
/// <see cref="RunComparison"/>), the parallel-coordinates plot (sweep.png), and TensorBoard's
/// HParams data (the experiment in the sweep folder, each trial's session in its tensorboard/).
/// </summary>
/// <example><code>
/// var sweep = Sweep.Create("runs/sweep", Recipe.Load("configs/fashion-mnist-fast.yaml"),
///     SweepSpec.Grid(["optimizer.lr=0.05,0.15", "loss.label_smoothing=0,0.1"]), new SweepOptions { EpochsBudget = 2 });
/// var result = sweep.Run();
/// Console.WriteLine(result.Table);
/// </code></example>
public sealed class Sweep
{
    /// <summary>The base recipe, resolved, beside the manifest.</summary>
    public const string BaseRecipeFile = "base.yaml";

    static readonly string[] MetricTags = ["accuracy/val", "loss/val", "f1/val", "accuracy/train", "loss/train"];

    readonly string baseYaml;
    readonly SweepOptions options;

    Sweep(string folder, string baseYaml, SweepManifest manifest, SweepOptions options)
    {
        Folder = Path.GetFullPath(folder);
        this.baseYaml = baseYaml;
        Manifest = manifest;
        this.options = options;
    }

    /// <summary>The sweep folder.</summary>
    public string Folder { get; }

    /// <summary>The manifest as it stands.</summary>
    public SweepManifest Manifest { get; }

    /// <summary>
    /// Checks every trial's recipe (unknown keys with suggestions, bad values) and the options, then
    /// creates the sweep folder with base.yaml, sweep.json and the TensorBoard experiment. Nothing trains.
    /// </summary>
    /// <param name="folder">The sweep folder; refused when it already holds a sweep (resume it instead).</param>
    /// <param name="baseRecipe">The recipe every trial starts from (with any --set already applied).</param>
    /// <param name="spec">The keys and values to try.</param>
    /// <param name="options">Metric, epochs, successive halving, progress.</param>
    /// <param name="source">The recipe file, recorded in sweep.json.</param>
    /// <exception cref="SweepSpecException">A trial's recipe is invalid, or the options are.</exception>
    public static Sweep Create(string folder, Recipe baseRecipe, SweepSpec spec, SweepOptions? options = null, string? source = null)
    {
        options ??= new SweepOptions();
        if (File.Exists(Path.Combine(folder, SweepManifest.FileName)))
            throw new SweepSpecException($"{folder} already holds a sweep; continue it with --resume {folder}, or choose another --out.");
        CheckOptions(options, spec, baseRecipe);
        var yaml = baseRecipe.ToYaml();
        var expanded = spec.Expand();
        var trials = expanded.Select((o, i) => new SweepTrial
        {
            Id = i,
            Name = $"trial-{i:D3}",
            Overrides = o.ToDictionary(kv => kv.Key, kv => kv.Value),
        }).ToList();
        var checker = new Sweep(folder, yaml, new SweepManifest { Spec = spec, Options = options, Trials = trials }, options);
        foreach (var trial in trials) checker.TrialRecipe(trial);
        IReadOnlyList<int>? rungs = null;
        if (options.Halving)
        {
            int budget = options.EpochsBudget ?? baseRecipe.Training.Epochs;
            rungs = SuccessiveHalving.Rungs(options.MinEpochs, budget, options.Eta);
        }
        var manifest = new SweepManifest { Source = source, Spec = spec, Options = options, Trials = trials, Rungs = rungs };
        Directory.CreateDirectory(Path.Combine(folder, "trials"));
        RunJson.WriteAtomic(Path.Combine(folder, BaseRecipeFile), yaml);
        manifest.Save(folder);
        var sweep = new Sweep(folder, yaml, manifest, options);
        sweep.WriteExperiment();
        return sweep;
    }

    /// <summary>Opens a sweep folder to continue it: the spec and options come from its sweep.json.</summary>
    /// <param name="folder">The sweep folder.</param>
    /// <param name="callbacks">The caller's delegates (log, progress, trial end); the rest of the options are the sweep's own.</param>
    public static Sweep Resume(string folder, SweepOptions? callbacks = null)
    {
        var manifest = SweepManifest.Load(folder);
        var basePath = Path.Combine(folder, BaseRecipeFile);
        if (!File.Exists(basePath)) throw new FileNotFoundException($"{folder} has {SweepManifest.FileName} but no {BaseRecipeFile}: the sweep folder is incomplete.", basePath);
        var options = manifest.Options with
        {
            Log = callbacks?.Log,
            TrialCallbacks = callbacks?.TrialCallbacks,
            TrialEnded = callbacks?.TrialEnded,
            Open = callbacks?.Open,
        };
        return new Sweep(folder, File.ReadAllText(basePath), manifest, options);
    }

    /// <summary>The folder of a trial's run.</summary>
    public string TrialFolder(SweepTrial trial) => Path.Combine(Folder, "trials", trial.Name);

    /// <summary>The recipe a trial trains: the base recipe with the trial's overrides (and the epoch budget).</summary>
    /// <exception cref="SweepSpecException">The overrides make an invalid recipe.</exception>
    public Recipe TrialRecipe(SweepTrial trial)
    {
        var assignments = trial.Assignments.ToList();
        int? budget = Manifest.Rungs is { } rungs ? rungs[^1] : options.EpochsBudget;
        if (budget is int b) assignments.Add(string.Create(CultureInfo.InvariantCulture, $"training.epochs={b}"));
        try
        {
            return Recipe.Parse(baseYaml, assignments, $"{trial.Name} ({string.Join(" ", trial.Assignments)})");
        }
        catch (RecipeException e)
        {
            // Override errors are the sweep's flags, not --set.
            var flag = Manifest.Spec.IsRandom ? "--range/--choice" : Manifest.Spec.Cases is not null ? "--case" : "--grid";
            throw new SweepSpecException(e.Message.Replace("--set ", flag + " ", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// Trains every trial not yet finished, then writes the table and plot. Cancelling stops the
    /// running trial at its next step (its last checkpoint is written) and returns with
    /// <see cref="SweepResult.Interrupted"/>; <see cref="Resume"/> continues from there.
    /// </summary>
    public SweepResult Run(CancellationToken cancellation = default)
    {
        var rungs = Manifest.Rungs;
        for (; ; )
        {
            int? target = rungs?[Manifest.Rung];
            foreach (var trial in Manifest.Trials)
            {
                if (trial.State is SweepTrialState.Completed or SweepTrialState.Pruned or SweepTrialState.Failed) continue;
                if (target is int t && trial.EpochsDone >= t) continue;
                if (cancellation.IsCancellationRequested) return Interrupted();
                if (!RunTrial(trial, target, cancellation)) return Interrupted();
            }
            if (rungs is null || Manifest.Rung == rungs.Count - 1) break;
            Promote(rungs[Manifest.Rung]);
            Manifest.Rung++;
            Manifest.Save(Folder);
        }
        return Finish();
    }

    SweepResult Interrupted()
    {
        options.Log?.Invoke($"sweep stopped; continue with: kindling sweep --resume {Folder}");
        return new SweepResult { Folder = Folder, Manifest = Manifest, Interrupted = true };
    }

    // Returns false when the trial was interrupted.
    bool RunTrial(SweepTrial trial, int? target, CancellationToken cancellation)
    {
        var recipe = TrialRecipe(trial);
        var folder = RunFolder.Create(TrialFolder(trial));
        // A trial that started before continues from its checkpoint: a promoted one, or one a killed sweep left running.
        string? resume = trial.State != SweepTrialState.Pending && File.Exists(folder.LastCheckpoint) ? folder.LastCheckpoint : null;
        bool stopsAtRung = target is int t && t < recipe.Training.Epochs;
        options.Log?.Invoke($"{trial.Name} ({string.Join(" ", trial.Assignments)}): " +
            (resume is null ? "start" : $"continue from epoch {trial.EpochsDone}") + (target is int r ? $", train to epoch {r} of {recipe.Training.Epochs}" : ""));
        trial.State = SweepTrialState.Running;
        trial.StartTime ??= Now();
        Manifest.Save(Folder);

        var extra = new List<ITrainerCallback>();
        if (stopsAtRung) extra.Add(new StopAtEpoch(target!.Value, $"successive halving rung at {target.Value} epochs"));
        if (options.TrialCallbacks is { } make) extra.AddRange(make(trial));
        try
        {
            if (stopsAtRung && resume is not null && TrainingCheckpoint.ReadMeta(resume) is var meta
                && (int)meta["epoch"]! >= target && meta["epoch_progress"] is null)
            {
                // Killed after the rung's checkpoint but before sweep.json recorded it: the rung is done, another epoch would be unfair.
                trial.EpochsDone = (int)meta["epoch"]!;
                trial.Metric = folder.ReadMetrics().LastOrDefault(m => m.Epoch == trial.EpochsDone)?.Get(options.Metric);
                trial.State = SweepTrialState.Paused;
            }
            else
            {
                using var training = RecipeTraining.Open(recipe, folder, resume, options.Open);
                var result = training.Fit(extra, cancellation);
                trial.EpochsDone = result.History.Count > 0 ? result.History[^1].Epoch : trial.EpochsDone;
                if (result.EndReason == "interrupted")
                {
                    Manifest.Save(Folder);
                    return false;
                }
                trial.Metric = result.History.Count > 0 ? result.History[^1].Get(options.Metric) : null;
                if (stopsAtRung && result.EndReason.StartsWith("stopped", StringComparison.Ordinal)) trial.State = SweepTrialState.Paused;
                else
                {
                    training.Finish(result);
                    trial.State = SweepTrialState.Completed;
                }
            }
        }
        catch (NonFiniteTrainingException e)
        {
            trial.State = SweepTrialState.Failed;
            trial.Error = e.Message;
            trial.EpochsDone = folder.ReadMetrics().Count;
        }
        trial.EndTime = Now();
        Manifest.Save(Folder);
        WriteSession(trial, folder);
        options.Log?.Invoke($"{trial.Name}: {trial.State.ToString().ToLowerInvariant()} after {trial.EpochsDone} epochs" +
            (trial.Metric is double m ? string.Create(CultureInfo.InvariantCulture, $", {options.Metric} {m:G5}") : "") + (trial.Error is null ? "" : $": {trial.Error}"));
        options.TrialEnded?.Invoke(trial);
        return true;
    }

    void Promote(int budget)
    {
        var alive = Manifest.Trials.Where(t => t.State is not SweepTrialState.Pruned).ToList();
        var promoted = SuccessiveHalving.Promote(alive.Select(t => (t.Id, t.State == SweepTrialState.Failed ? null : t.Metric)).ToList(), options.Eta, options.Mode).ToHashSet();
        foreach (var t in alive)
        {
            // A trial that ended on its own (failed, or the recipe's early stopping) keeps its state.
            if (promoted.Contains(t.Id) || t.State is not SweepTrialState.Paused) continue;
            t.State = SweepTrialState.Pruned;
            WriteSession(t, RunFolder.Open(TrialFolder(t)));
        }
        options.Log?.Invoke($"rung at {budget} epochs: {promoted.Count} of {alive.Count} trials go on ({string.Join(", ", alive.Where(t => promoted.Contains(t.Id)).Select(t => t.Name))})");
    }

    SweepResult Finish()
    {
        var finished = Manifest.Trials.Where(t => File.Exists(Path.Combine(TrialFolder(t), "summary.json"))).ToList();
        if (finished.Count == 0) return new SweepResult { Folder = Folder, Manifest = Manifest };
        var comparison = RunComparison.Load(finished.Select(TrialFolder));
        var sortKey = $"final.{options.Metric}";
        var columns = new[] { "epochs_run", sortKey, "best_metric", "test_accuracy", "epoch_seconds" }.Where(comparison.MetricKeys.Contains).ToList();
        bool descending = options.Mode == "max";
        var sort = comparison.MetricKeys.Contains(sortKey) ? sortKey : null;
        var table = comparison.ToMarkdown(sort, descending, columns);
        var tablePath = Path.Combine(Folder, "sweep.md");
        var csvPath = Path.Combine(Folder, "sweep.csv");
        RunJson.WriteAtomic(tablePath, table);
        RunJson.WriteAtomic(csvPath, comparison.ToCsv(sort, descending, columns));
        var plotPath = Path.Combine(Folder, "sweep.png");
        SweepPlot.ParallelCoordinates(Manifest.Spec, Manifest.Trials.Where(t => t.Metric is not null).ToList(), options.Metric, plotPath);
        return new SweepResult
        {
            Folder = Folder, Manifest = Manifest, Comparison = comparison, Table = table, TablePath = tablePath, CsvPath = csvPath, PlotPath = plotPath,
        };
    }

    void WriteExperiment()
    {
        var hparams = Manifest.Spec.Dimensions.Select(d => d.Range is { } r
            ? new TensorBoardHParam(d.Key, null, r.Min, r.Max)
            : new TensorBoardHParam(d.Key, d.Values));
        EventFileWriter.Write(Path.Combine(Folder, HParamsSummary.EventFileName), [HParamsSummary.Experiment(hparams, MetricTags, Now())], Now());
    }

    // The session is the trial's tensorboard/ run, where TensorBoardCallback writes the metric scalars.
    void WriteSession(SweepTrial trial, RunFolder folder)
    {
        var status = trial.State switch
        {
            SweepTrialState.Completed or SweepTrialState.Pruned => HParamsSummary.Status.Success,
            SweepTrialState.Failed => HParamsSummary.Status.Failure,
            _ => HParamsSummary.Status.Running,
        };
        var end = trial.EndTime ?? Now();
        EventFileWriter.Write(Path.Combine(folder.TensorBoardDir, HParamsSummary.EventFileName),
            [HParamsSummary.SessionStart(trial.Overrides, trial.StartTime ?? end, folder.CheckpointsDir), HParamsSummary.SessionEnd(status, end)], end);
    }

    static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    static void CheckOptions(SweepOptions o, SweepSpec spec, Recipe recipe)
    {
        if (o.Mode is not ("max" or "min")) throw new SweepSpecException($"--mode {o.Mode}: expected max or min.");
        var errors = new RecipeErrors();
        if (TaskCatalog.Find(recipe.Task) is { } task) TaskCatalog.CheckMetric(errors, task, $"--metric {o.Metric}", o.Metric);
        if (errors.Count > 0) throw new SweepSpecException(errors.Lines[0]);
        if (o.EpochsBudget is int b && b < 1) throw new SweepSpecException($"--epochs-budget {b}: expected at least 1 epoch.");
        if ((o.EpochsBudget is not null || o.Halving) && spec.Dimensions.Any(d => d.Key == "training.epochs"))
            throw new SweepSpecException("training.epochs is swept, so it cannot also be set by --epochs-budget or --halving; drop one.");
    }
}
