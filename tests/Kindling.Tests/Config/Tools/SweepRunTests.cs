using System.Globalization;
using System.Text.Json;
using Kindling.Config;
using Kindling.Config.Tools;
using Kindling.Reporting;
using Kindling.Tests.Cli;
using Kindling.Tests.Reporting;
using Kindling.Training;
using Kindling.Training.Callbacks;
using Kindling.Tuning;
using Kindling.Tuning.Sweeps;

namespace Kindling.Tests.Config.Tools;

/// <summary>
/// Sweeps end to end on the tiny picture folder: stopped after a trial (or mid-trial) and resumed,
/// finished trials are not run again; successive halving continues the promoted trial from its
/// checkpoint; the table is ranked by the metric, the plot and TensorBoard's hparams data are written.
/// </summary>
[Collection("Console")]
public class SweepRunTests
{
    static Recipe TinyRecipe(TempDir tmp, int epochs)
    {
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 16);
        var path = Path.Combine(tmp.Path, "tiny.yaml");
        File.WriteAllText(path, TinyPictures.Recipe(pictures, epochs));
        return Recipe.Load(path);
    }

    static string Snapshot(string trialFolder) =>
        string.Join("\n", new[] { "metrics.jsonl", "summary.json", "config.yaml" }.Select(f => File.ReadAllText(Path.Combine(trialFolder, f))))
        + File.GetLastWriteTimeUtc(Path.Combine(trialFolder, "checkpoints", "last.ckpt")).Ticks;

    [Fact]
    public void AStoppedGridSweepResumesWithTheTrialsNotYetFinishedAndRanksThem()
    {
        using var tmp = new TempDir();
        var folder = Path.Combine(tmp.Path, "sweep");
        using var stop = new CancellationTokenSource();
        var sweep = Sweep.Create(folder, TinyRecipe(tmp, 2), SweepSpec.Grid(["optimizer.lr=0.01,0.0001,0.001"]),
            new SweepOptions { TrialEnded = _ => stop.Cancel() });

        var first = sweep.Run(stop.Token);
        Assert.True(first.Interrupted);
        Assert.Null(first.Table);
        var stored = SweepManifest.Load(folder);
        Assert.Equal([SweepTrialState.Completed, SweepTrialState.Pending, SweepTrialState.Pending], stored.Trials.Select(t => t.State));
        var trial0 = sweep.TrialFolder(stored.Trials[0]);
        var before = Snapshot(trial0);

        var ran = new List<string>();
        var result = Sweep.Resume(folder, new SweepOptions { TrialEnded = t => ran.Add(t.Name) }).Run();
        Assert.False(result.Interrupted);
        Assert.Equal(["trial-001", "trial-002"], ran);
        Assert.Equal(before, Snapshot(trial0));
        Assert.All(result.Manifest.Trials, t => Assert.Equal((SweepTrialState.Completed, 2), (t.State, t.EpochsDone)));
        Assert.Equal(result.Manifest.Trials.Select(t => t.State), SweepManifest.Load(folder).Trials.Select(t => t.State));

        // Every trial is a normal run folder, with the trial's override in its resolved recipe.
        foreach (var t in result.Manifest.Trials)
        {
            var run = sweep.TrialFolder(t);
            foreach (var file in new[] { "config.yaml", "environment.json", "metrics.jsonl", "summary.json", "report.md", "checkpoints/best.ckpt", "plots/loss.png" })
                Assert.True(File.Exists(Path.Combine(run, file)), $"{t.Name}: {file} missing");
            Assert.Equal(double.Parse(t.Overrides["optimizer.lr"], CultureInfo.InvariantCulture), Recipe.Load(Path.Combine(run, "config.yaml")).Optimizer.Lr);
        }

        // The table: one row per trial, best val_accuracy first, the swept key as a column.
        var rows = result.Table!.Split('\n').Where(l => l.StartsWith("| trial-", StringComparison.Ordinal)).Select(l => l.Split('|').Select(c => c.Trim()).ToArray()).ToList();
        var header = result.Table.Split('\n')[0].Split('|').Select(c => c.Trim()).ToList();
        Assert.Contains("optimizer.lr", header);
        int metricColumn = header.IndexOf("final.val_accuracy");
        Assert.Equal(3, rows.Count);
        var shown = rows.Select(r => double.Parse(r[metricColumn], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(shown.OrderByDescending(v => v), shown);
        var expected = result.Manifest.Trials.OrderByDescending(t => t.Metric).ThenBy(t => t.Id).Select(t => t.Name);
        Assert.Equal(expected, rows.Select(r => r[1]));
        Assert.Equal(File.ReadAllText(result.TablePath!), result.Table);
        Assert.Equal(4, File.ReadAllLines(result.CsvPath!).Length);
        var png = File.ReadAllBytes(result.PlotPath!);
        Assert.True(png.Length > 5000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');

        // TensorBoard: the experiment in the sweep folder, each trial's session beside its scalars.
        var experiment = EventFile.Values(folder).Single(v => v.Tag == HParamsSummary.ExperimentTag).Value;
        var declared = new ProtoFields(experiment.Metadata.PluginData.Content.ToByteArray()).Message(2).Messages(4).Select(i => i.String(1));
        Assert.Equal(["optimizer.lr"], declared);
        foreach (var t in result.Manifest.Trials)
        {
            var tensorboard = Path.Combine(sweep.TrialFolder(t), "tensorboard");
            var events = EventFile.Records(Path.Combine(tensorboard, HParamsSummary.EventFileName)).Select(r => Tensorboard.Event.Parser.ParseFrom(r)).ToList();
            var start = new ProtoFields(events[1].Summary.Value.Single().Metadata.PluginData.Content.ToByteArray()).Message(3);
            var lr = Google.Protobuf.WellKnownTypes.Value.Parser.ParseFrom(start.Messages(1).Single().Bytes(2));
            Assert.Equal(double.Parse(t.Overrides["optimizer.lr"], CultureInfo.InvariantCulture), lr.NumberValue);
            var end = new ProtoFields(events[2].Summary.Value.Single().Metadata.PluginData.Content.ToByteArray()).Message(4);
            Assert.Equal(1ul, end.Varint(1));
            Assert.Contains(Directory.GetFiles(tensorboard), f => Path.GetFileName(f) != HParamsSummary.EventFileName && f.Contains("tfevents"));
        }

        // The CLI resuming a finished sweep trains nothing and lists the trials, best first.
        var (code, output, error) = CliRunner.Kindling("sweep", "--resume", folder, "--json");
        Assert.True(code == 0, error);
        Assert.Equal(before, Snapshot(trial0));
        using var json = JsonDocument.Parse(output);
        Assert.Equal(expected, json.RootElement.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
    }

    [Fact]
    public void SuccessiveHalvingContinuesThePromotedTrialFromItsCheckpointEvenAfterAKill()
    {
        using var tmp = new TempDir();
        var folder = Path.Combine(tmp.Path, "sweep");
        using var kill = new CancellationTokenSource();
        var rung0 = new Dictionary<string, (double? Metric, string Epoch1)>();
        var options = new SweepOptions
        {
            Halving = true, Eta = 3, MinEpochs = 1, EpochsBudget = 3,
            // Kill the promoted trial once its second epoch is recorded: mid-way through its continuation.
            TrialCallbacks = t => t.EpochsDone == 1 ? [new CancelAfterEpoch(kill, 2)] : [],
        };
        var sweep = Sweep.Create(folder, TinyRecipe(tmp, 9), SweepSpec.Grid(["optimizer.lr=0.0001,0.01,0.001"]), options with
        {
            TrialEnded = t => rung0.TryAdd(t.Name, (t.Metric, File.ReadLines(Path.Combine(folder, "trials", t.Name, "metrics.jsonl")).First())),
        });
        Assert.Equal([1, 3], sweep.Manifest.Rungs);

        var first = sweep.Run(kill.Token);
        Assert.True(first.Interrupted);
        var promoted = SuccessiveHalving.Promote(first.Manifest.Trials.Select(t => (t.Id, rung0[t.Name].Metric)).ToList(), 3, "max").Single();
        var running = first.Manifest.Trials.Single(t => t.State == SweepTrialState.Running);
        Assert.Equal(promoted, running.Id);
        Assert.Equal(2, first.Manifest.Trials.Count(t => t.State == SweepTrialState.Pruned));
        var promotedFolder = sweep.TrialFolder(running);
        var killedAt = File.ReadAllLines(Path.Combine(promotedFolder, "metrics.jsonl"));
        Assert.Equal(2, killedAt.Length);

        var ran = new List<string>();
        var result = Sweep.Resume(folder, new SweepOptions { TrialEnded = t => ran.Add(t.Name) }).Run();
        Assert.False(result.Interrupted);
        Assert.Equal([running.Name], ran);
        var lines = File.ReadAllLines(Path.Combine(promotedFolder, "metrics.jsonl"));
        Assert.Equal(3, lines.Length);
        // Continued, never restarted: the first epochs are the ones trained before the promotion and the kill.
        Assert.Equal(rung0[running.Name].Epoch1, lines[0]);
        Assert.Equal(killedAt, lines[..2]);
        foreach (var t in result.Manifest.Trials)
        {
            bool won = t.Id == promoted;
            Assert.Equal(won ? (SweepTrialState.Completed, 3) : (SweepTrialState.Pruned, 1), (t.State, t.EpochsDone));
            // Every trial trains on the full budget's schedule and was stopped early.
            Assert.Equal(3, Recipe.Load(Path.Combine(sweep.TrialFolder(t), "config.yaml")).Training.Epochs);
            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(sweep.TrialFolder(t), "summary.json")));
            Assert.Equal(won ? 3 : 1, summary.RootElement.GetProperty("epochs_run").GetInt32());
        }
        Assert.Equal(3, result.Table!.Split('\n').Count(l => l.StartsWith("| trial-", StringComparison.Ordinal)));
    }

    [Fact]
    public void ATrialKilledAfterItsRungCheckpointIsNotTrainedFurtherOnResume()
    {
        using var tmp = new TempDir();
        var folder = Path.Combine(tmp.Path, "sweep");
        using var stop = new CancellationTokenSource();
        var sweep = Sweep.Create(folder, TinyRecipe(tmp, 2), SweepSpec.Grid(["optimizer.lr=0.01,0.001"]),
            new SweepOptions { Halving = true, Eta = 2, MinEpochs = 1, TrialEnded = _ => stop.Cancel() });
        Assert.True(sweep.Run(stop.Token).Interrupted);
        // As if the process died between trial-000's epoch-1 checkpoint and sweep.json recording it.
        var manifest = SweepManifest.Load(folder);
        Assert.Equal(SweepTrialState.Paused, manifest.Trials[0].State);
        var metric = manifest.Trials[0].Metric;
        manifest.Trials[0].State = SweepTrialState.Running;
        manifest.Trials[0].EpochsDone = 0;
        manifest.Trials[0].Metric = null;
        manifest.Save(folder);

        var atRung = new Dictionary<string, int>();
        var result = Sweep.Resume(folder, new SweepOptions
        {
            TrialEnded = t => atRung.TryAdd(t.Name, File.ReadAllLines(Path.Combine(folder, "trials", t.Name, "metrics.jsonl")).Length),
        }).Run();
        Assert.Equal(1, atRung["trial-000"]);
        var trial0 = result.Manifest.Trials[0];
        Assert.True(trial0.State is SweepTrialState.Pruned or SweepTrialState.Completed);
        if (trial0.State == SweepTrialState.Pruned) Assert.Equal((1, metric), (trial0.EpochsDone, trial0.Metric));
        Assert.Equal(1, result.Manifest.Trials.Count(t => t.State == SweepTrialState.Completed));
    }

    [Fact]
    public void ListedCasesRunAsTrialsWithTheirOwnOverridesAndComeBackFromTheManifest()
    {
        using var tmp = new TempDir();
        var folder = Path.Combine(tmp.Path, "sweep");
        var spec = SweepSpec.FromCases(["optimizer.name=sgd;optimizer.lr=0.01;optimizer.momentum=0.9", "optimizer.name=adam;optimizer.lr=0.001"]);
        var result = Sweep.Create(folder, TinyRecipe(tmp, 1), spec, new SweepOptions()).Run();
        Assert.Equal(2, result.Manifest.Trials.Count(t => t.State == SweepTrialState.Completed));
        var first = File.ReadAllText(Path.Combine(folder, "trials", "trial-000", "config.yaml"));
        Assert.Contains("name: sgd", first);
        Assert.Contains("momentum: 0.9", first);
        Assert.Contains("name: adam\n", File.ReadAllText(Path.Combine(folder, "trials", "trial-001", "config.yaml")));
        var loaded = SweepManifest.Load(folder);
        Assert.Equal(spec.Expand().Select(t => string.Join(" ", t)), loaded.Spec.Expand().Select(t => string.Join(" ", t)));
    }

    [Fact]
    public void TheCliRefusesBadSweepsBeforeAnythingRuns()
    {
        using var tmp = new TempDir();
        var out_ = Path.Combine(tmp.Path, "sweep");
        var recipe = Path.Combine(tmp.Path, "r.yaml");
        File.WriteAllText(recipe, "data:\n  spec: fashion-mnist\n");
        var (code, _, error) = CliRunner.Kindling("sweep", "--config", recipe, "--grid", "optimizer.lrr=1e-3,3e-3", "--out", out_);
        Assert.Equal(2, code);
        Assert.Contains("did you mean 'optimizer.lr'", error);
        (code, _, error) = CliRunner.Kindling("sweep", "--config", recipe, "--random", "4", "--range", "optimizer.lr=1e-1:1e-4:log", "--out", out_);
        Assert.Equal(2, code);
        Assert.Contains("MIN must be below MAX", error);
        (code, _, error) = CliRunner.Kindling("sweep", "--config", recipe, "--range", "optimizer.lr=1e-4:1e-1", "--out", out_);
        Assert.Equal(2, code);
        Assert.Contains("--random N", error);
        (code, _, error) = CliRunner.Kindling("sweep", "--config", recipe, "--grid", "optimizer.lr=1e-3", "--metric", "accuracy", "--out", out_);
        Assert.Equal(2, code);
        Assert.Contains("--metric accuracy", error);
        Assert.False(Directory.Exists(out_));
        (code, _, error) = CliRunner.Kindling("sweep", "--resume", Path.Combine(tmp.Path, "nothing"));
        Assert.NotEqual(0, code);
        Assert.Contains("sweep.json", error);
    }

    sealed class CancelAfterEpoch(CancellationTokenSource source, int epoch) : ITrainerCallback
    {
        public void OnEpochEnd(TrainerState state, EpochMetrics metrics)
        {
            if (metrics.Epoch == epoch) source.Cancel();
        }
    }
}
