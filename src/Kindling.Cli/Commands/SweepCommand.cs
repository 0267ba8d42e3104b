using System.ComponentModel;
using System.Text.Json;
using Kindling.Cli.Display;
using Kindling.Config;
using Kindling.Config.Tools;
using Kindling.Data.Datasets;
using Kindling.Reporting;
using Kindling.Runtime;
using Kindling.Tuning.Sweeps;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling sweep`: a grid or random search over recipe keys, each trial a run folder under the sweep
/// folder, optionally with successive halving; at the end the table ranked by the metric, the
/// parallel-coordinates plot and TensorBoard's HParams data. A thin layer over <see cref="Sweep"/>.
/// </summary>
sealed class SweepCommand : Command<SweepCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--config <FILE>")]
        [Description("The base recipe (default: configs/fashion-mnist-fast.yaml).")]
        public string? Config { get; init; }

        [CommandOption("--set <KEY=VALUE>")]
        [Description("Override a base recipe key for every trial (repeatable).")]
        public string[] Set { get; init; } = [];

        [CommandOption("--grid <KEY=V1,V2>")]
        [Description("A grid axis: every combination of the axes is a trial, e.g. --grid optimizer.lr=1e-3,3e-3 (repeatable).")]
        public string[] Grid { get; init; } = [];

        [CommandOption("--case <KEY=V;KEY=V>")]
        [Description("A listed trial (an ablation row): its overrides separated by ';', e.g. --case 'optimizer.name=sgd;optimizer.lr=0.01' (repeatable).")]
        public string[] Case { get; init; } = [];

        [CommandOption("--random <N>")]
        [Description("A random search of N trials over --range and --choice.")]
        public int? Random { get; init; }

        [CommandOption("--range <KEY=MIN:MAX[:log]>")]
        [Description("A range a random search draws from, log-uniform with :log, e.g. --range optimizer.lr=1e-4:1e-1:log (repeatable).")]
        public string[] Range { get; init; } = [];

        [CommandOption("--choice <KEY=V1,V2>")]
        [Description("Values a random search picks from, e.g. --choice optimizer.name=adamw,sgd (repeatable).")]
        public string[] Choice { get; init; } = [];

        [CommandOption("--seed <S>")]
        [Description("Seed of the random search's draws (default 0).")]
        public int Seed { get; init; }

        [CommandOption("--epochs-budget <N>")]
        [Description("Epochs per trial (sets training.epochs); with --halving the largest budget.")]
        public int? EpochsBudget { get; init; }

        [CommandOption("--halving")]
        [Description("Successive halving: every trial gets --min-epochs, the best 1/eta go on to eta times as many, resumed from their checkpoints.")]
        public bool Halving { get; init; }

        [CommandOption("--eta <ETA>")]
        [Description("Successive halving's factor (default 3).")]
        public int Eta { get; init; } = 3;

        [CommandOption("--min-epochs <N>")]
        [Description("Successive halving's first budget (default 1).")]
        public int MinEpochs { get; init; } = 1;

        [CommandOption("--metric <M>")]
        [Description("The epoch metric trials are ranked by (default val_accuracy; val_loss, val_f1, ...).")]
        public string Metric { get; init; } = "val_accuracy";

        [CommandOption("--mode <MODE>")]
        [Description("max (default) or min.")]
        public string Mode { get; init; } = "max";

        [CommandOption("--out <DIR>")]
        [Description("The sweep folder (default: runs/sweep-<recipe>-<time>).")]
        public string? Out { get; init; }

        [CommandOption("--overwrite")]
        [Description("Clear a previous sweep's --out folder and start over (without it a non-empty folder is refused).")]
        public bool Overwrite { get; init; }

        [CommandOption("--resume <DIR>")]
        [Description("Continue the sweep in DIR: finished trials are kept, a trial cut off continues from its last checkpoint.")]
        public string? Resume { get; init; }

        [CommandOption("--json")]
        [Description("Print the trials and their metrics as JSON (progress goes to stderr).")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            bool specified = Config is not null || Set.Length > 0 || Grid.Length > 0 || Case.Length > 0 || Random is not null || Range.Length > 0 || Choice.Length > 0
                || Out is not null || EpochsBudget is not null || Halving || Overwrite;
            if (Resume is not null)
                return specified ? ValidationResult.Error("--resume continues a sweep with its own recipe, trials and options: drop the other options.") : ValidationResult.Success();
            if (new[] { Grid.Length > 0, Case.Length > 0, Random is not null || Range.Length > 0 || Choice.Length > 0 }.Count(k => k) > 1)
                return ValidationResult.Error("--grid makes a grid search, --case lists trials, --random N with --range/--choice makes a random one: use one kind.");
            if (Random is null && (Range.Length > 0 || Choice.Length > 0))
                return ValidationResult.Error("--range and --choice are for a random search: add --random N (the number of trials).");
            if (Random is null && Grid.Length == 0 && Case.Length == 0)
                return ValidationResult.Error("nothing to sweep: give --grid KEY=V1,V2 (a grid), --case KEY=V;KEY=V (listed trials) or --random N with --range KEY=MIN:MAX[:log] (a random search).");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        var log = Console.Error;
        var runtime = new SweepOptions
        {
            Log = line => log.WriteLine(line),
            TrialCallbacks = trial => [new SweepProgress(log, trial.Name)],
            Open = new DataOpenOptions { Download = true, Log = line => log.WriteLine(line) },
        };
        Sweep sweep;
        try
        {
            if (settings.Resume is not null) sweep = Sweep.Resume(settings.Resume, runtime);
            else
            {
                var path = settings.Config ?? RecipeLocator.Find();
                var recipe = Recipe.Load(path, settings.Set);
                var spec = settings.Random is int n ? SweepSpec.Random(n, settings.Range, settings.Choice, settings.Seed)
                    : settings.Case.Length > 0 ? SweepSpec.FromCases(settings.Case)
                    : SweepSpec.Grid(settings.Grid);
                var options = runtime with
                {
                    Metric = settings.Metric, Mode = settings.Mode, EpochsBudget = settings.EpochsBudget,
                    Halving = settings.Halving, Eta = settings.Eta, MinEpochs = settings.MinEpochs,
                };
                var folder = settings.Out ?? RunFolder.NewPath("runs", "sweep-" + Path.GetFileNameWithoutExtension(path));
                OutputFolder.Prepare(folder, settings.Overwrite, "sweep");
                sweep = Sweep.Create(folder, recipe, spec, options, path);
            }
        }
        catch (SweepSpecException e)
        {
            log.WriteLine($"error: {e.Message}");
            return CliErrors.Usage;
        }
        var m = sweep.Manifest;
        log.WriteLine($"sweep: {m.Trials.Count} trials ({(m.Spec.IsRandom ? $"random, seed {m.Spec.Seed}" : m.Spec.Cases is not null ? "listed cases" : "grid")}) over {string.Join(", ", m.Spec.Dimensions.Select(d => d.Key))}" +
            (m.Rungs is { } rungs ? $"; successive halving at {string.Join(", ", rungs)} epochs (eta {m.Options.Eta})" : "") + $"; folder: {sweep.Folder}");

        SweepResult result;
        using (var interrupt = new Interruption(log, "finishing the current step and writing the trial's last checkpoint"))
            result = sweep.Run(interrupt.Token);
        if (settings.Json) Console.WriteLine(Json(result));
        if (result.Interrupted) return TrainCommand.Interrupted;
        if (!settings.Json)
        {
            Console.Write(result.Table ?? "no trial finished.\n");
            Console.WriteLine($"sweep folder: {result.Folder} (sweep.md, sweep.csv, sweep.png, trials/; tensorboard --logdir {result.Folder} for the HParams tab)");
        }
        return 0;
    }

    static string Json(SweepResult r)
    {
        var options = r.Manifest.Options;
        var ranked = r.Manifest.Trials.OrderBy(t => t.Metric is double v ? (options.Mode == "max" ? -v : v) : double.PositiveInfinity).ThenBy(t => t.Id);
        return CliJson.Serialize(new
        {
            folder = r.Folder,
            interrupted = r.Interrupted,
            metric = options.Metric,
            mode = options.Mode,
            table = r.TablePath,
            plot = r.PlotPath,
            trials = ranked.Select(t => new
            {
                name = t.Name,
                overrides = t.Overrides,
                state = t.State.ToString().ToLowerInvariant(),
                epochs = t.EpochsDone,
                metric = t.Metric,
                error = t.Error,
            }),
        }, indented: true);
    }
}
