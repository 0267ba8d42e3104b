using System.Text.Json;
using Kindling.Reporting;

namespace Kindling.Tuning.LrFinding;

/// <summary>The range test's curve and what it suggests.</summary>
/// <param name="Points">Every recorded step, in order (the step that diverged is not recorded, as in the seeds' find_lr).</param>
/// <param name="Steepest">The learning rate where the smoothed loss falls fastest; null when the curve is too short.</param>
/// <param name="MinimumLr">The learning rate at the smoothed loss's minimum; null when the curve is too short.</param>
/// <param name="StopReason">Why the sweep ended: "completed", "diverged" (with the step and LR) or "non-finite loss".</param>
/// <param name="Options">The settings it ran with.</param>
public sealed record LrFinderResult(IReadOnlyList<LrFinderPoint> Points, double? Steepest, double? MinimumLr, string StopReason, LrFinderOptions Options)
{
    /// <summary>One tenth of <see cref="MinimumLr"/>; null when the curve is too short.</summary>
    public double? MinimumTenth => MinimumLr / 10;

    /// <summary>Whether the sweep stopped before <see cref="LrFinderOptions.EndLr"/> because the loss blew up.</summary>
    public bool Diverged => StopReason != "completed";

    /// <summary>The suggestion of the given kind.</summary>
    /// <exception cref="InvalidOperationException">The curve has too few points to suggest anything (it diverged at once: lower the start lr).</exception>
    public double Suggest(LrSuggestion kind) =>
        (kind == LrSuggestion.Steepest ? Steepest : MinimumTenth)
        ?? throw new InvalidOperationException($"the range test recorded {Points.Count} point{(Points.Count == 1 ? "" : "s")} ({StopReason}), too few to suggest a learning rate; lower the start lr or raise the steps.");

    /// <summary>The curve, the suggestions and the settings as indented JSON (snake_case keys).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, RunJson.Document);

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> through a temporary file.</summary>
    public void SaveJson(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        RunJson.WriteAtomic(path, ToJson());
    }
}
