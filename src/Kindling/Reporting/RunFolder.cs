using System.Globalization;
using System.Text.Json;

namespace Kindling.Reporting;

/// <summary>
/// The folder a run leaves behind (docs/GUIDE.md's contract): config.yaml, environment.json,
/// metrics.jsonl, summary.json, checkpoints/{best,last}.ckpt, plots/*.png, tensorboard/, report.md.
/// One folder per run, named by recipe and time, so ablations sit side by side and compare by folder.
/// </summary>
public sealed class RunFolder
{
    RunFolder(string root)
    {
        Root = Path.GetFullPath(root);
    }

    /// <summary>Creates the folder and its checkpoints/, plots/ and tensorboard/ subfolders (existing ones are kept, as on resume).</summary>
    public static RunFolder Create(string root)
    {
        var folder = new RunFolder(root);
        Directory.CreateDirectory(folder.Root);
        Directory.CreateDirectory(folder.CheckpointsDir);
        Directory.CreateDirectory(folder.PlotsDir);
        Directory.CreateDirectory(folder.TensorBoardDir);
        return folder;
    }

    /// <summary>Names a run folder without touching the file system: what a data-parallel rank other than 0 holds (it writes nothing, and its machine may not see the folder).</summary>
    public static RunFolder Reference(string root) => new(root);

    /// <summary>Opens an existing run folder (for --resume, eval or compare) without creating anything.</summary>
    public static RunFolder Open(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"run folder '{root}' does not exist: pass the folder that `kindling train --out` wrote.");
        return new RunFolder(root);
    }

    /// <summary>A fresh folder name under <paramref name="parent"/>: "&lt;name&gt;-yyyyMMdd-HHmmss", with a suffix if taken.</summary>
    public static string NewPath(string parent, string name, DateTime? time = null)
    {
        var stamp = (time ?? DateTime.Now).ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var path = Path.Combine(parent, $"{name}-{stamp}");
        for (int i = 2; Directory.Exists(path); i++) path = Path.Combine(parent, $"{name}-{stamp}-{i}");
        return path;
    }

    public string Root { get; }
    public string ConfigPath => Path.Combine(Root, "config.yaml");
    public string EnvironmentPath => Path.Combine(Root, "environment.json");
    public string MetricsPath => Path.Combine(Root, "metrics.jsonl");
    public string SummaryPath => Path.Combine(Root, "summary.json");
    public string ReportPath => Path.Combine(Root, "report.md");
    public string CheckpointsDir => Path.Combine(Root, "checkpoints");
    public string BestCheckpoint => Path.Combine(CheckpointsDir, "best.ckpt");
    public string LastCheckpoint => Path.Combine(CheckpointsDir, "last.ckpt");
    public string PlotsDir => Path.Combine(Root, "plots");
    public string TensorBoardDir => Path.Combine(Root, "tensorboard");

    /// <summary>Writes the resolved recipe (after overrides) as config.yaml.</summary>
    public void WriteConfig(string yaml) => RunJson.WriteAtomic(ConfigPath, yaml.EndsWith('\n') ? yaml : yaml + "\n");

    /// <summary>The resolved recipe, or null when none was written.</summary>
    public string? ReadConfig() => File.Exists(ConfigPath) ? File.ReadAllText(ConfigPath) : null;

    /// <summary>Writes environment.json.</summary>
    public void WriteEnvironment(RunEnvironment environment) =>
        RunJson.WriteAtomic(EnvironmentPath, JsonSerializer.Serialize(environment, RunJson.Document));

    /// <summary>Captures and writes environment.json; see <see cref="RunEnvironment.Capture"/>.</summary>
    public RunEnvironment WriteEnvironment(string device, string? commandLine = null, string? gitFolder = null)
    {
        var environment = RunEnvironment.Capture(device, commandLine, gitFolder);
        WriteEnvironment(environment);
        return environment;
    }

    /// <summary>The environment.json written for this run, or null.</summary>
    public RunEnvironment? ReadEnvironment() =>
        File.Exists(EnvironmentPath) ? JsonSerializer.Deserialize<RunEnvironment>(File.ReadAllText(EnvironmentPath), RunJson.Document) : null;

    /// <summary>The epochs recorded in metrics.jsonl (none when it does not exist yet).</summary>
    public IReadOnlyList<Training.EpochMetrics> ReadMetrics() =>
        File.Exists(MetricsPath)
            ? File.ReadLines(MetricsPath).Where(l => !string.IsNullOrWhiteSpace(l))
                .Select(l => JsonSerializer.Deserialize<Training.EpochMetrics>(l, RunJson.Line)!).ToList()
            : [];
}
