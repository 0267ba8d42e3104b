using Kindling.Reporting;

namespace Kindling.Tuning.Sweeps;

/// <summary>What a sweep run leaves: the manifest, and when it finished, the ranked table and the plot.</summary>
public sealed record SweepResult
{
    /// <summary>The sweep folder.</summary>
    public required string Folder { get; init; }

    /// <summary>The trials' final states.</summary>
    public required SweepManifest Manifest { get; init; }

    /// <summary>Whether the sweep stopped before every trial ended (cancelled); resume it with <c>Config.Tools.Sweep.Resume</c>.</summary>
    public bool Interrupted { get; init; }

    /// <summary>The trials with a summary.json, as <c>kindling compare</c> reads them; null when none has one.</summary>
    public RunComparison? Comparison { get; init; }

    /// <summary>The Markdown table, best trial first by the sweep's metric (also sweep.md).</summary>
    public string? Table { get; init; }

    /// <summary>sweep.md, sweep.csv and the parallel-coordinates plot, when written.</summary>
    public string? TablePath { get; init; }

    public string? CsvPath { get; init; }

    public string? PlotPath { get; init; }
}
