namespace Kindling.Tuning.Sweeps;

/// <summary>One trial of a sweep as sweep.json records it: its overrides, its run folder and how far it got.</summary>
public sealed class SweepTrial
{
    /// <summary>0-based, in the order the spec expands.</summary>
    public int Id { get; init; }

    /// <summary>The run folder's name under the sweep's trials/ folder (trial-000, ...).</summary>
    public string Name { get; init; } = "";

    /// <summary>The recipe keys this trial sets, in the spec's order.</summary>
    public Dictionary<string, string> Overrides { get; init; } = new();

    public SweepTrialState State { get; set; }

    /// <summary>Epochs trained so far.</summary>
    public int EpochsDone { get; set; }

    /// <summary>The sweep's metric at the trial's last epoch, when measured.</summary>
    public double? Metric { get; set; }

    /// <summary>Why the trial failed.</summary>
    public string? Error { get; set; }

    /// <summary>Seconds since the epoch when the trial first started, and when it last ended.</summary>
    public double? StartTime { get; set; }

    public double? EndTime { get; set; }

    /// <summary>The overrides as <c>key=value</c> assignments.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<string> Assignments => Overrides.Select(kv => $"{kv.Key}={kv.Value}");
}
