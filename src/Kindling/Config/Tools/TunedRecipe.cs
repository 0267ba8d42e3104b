using Kindling.Reporting;
using Kindling.Tuning.BatchSize;
using Kindling.Tuning.LrFinding;

namespace Kindling.Config.Tools;

/// <summary>A recipe with its <c>auto</c> values chosen, what chose them and how.</summary>
/// <param name="Recipe">The recipe with numbers in place of <c>auto</c>.</param>
/// <param name="Notes">One line per value chosen: the number and how (for the run's output and config.yaml).</param>
/// <param name="LrFind">The range test behind <c>optimizer.lr: auto</c>, or null.</param>
/// <param name="BatchSize">The search behind <c>data.batch_size: auto</c>, or null.</param>
public sealed record TunedRecipe(Recipe Recipe, IReadOnlyList<string> Notes, LrFinderResult? LrFind, BatchSizeResult? BatchSize)
{
    /// <summary>The notes as YAML comment lines, to head the run's config.yaml; empty when nothing was tuned.</summary>
    public string ConfigHeader => string.Concat(Notes.Select(n => $"# {n}\n"));

    /// <summary>Writes what the tuners measured into the run folder: lr-find.json and plots/lr-find.png, batch-size.json and plots/batch-size.png.</summary>
    public void Save(RunFolder folder)
    {
        if (LrFind is { } lr)
        {
            lr.SaveJson(Path.Combine(folder.Root, "lr-find.json"));
            if (lr.Points.Count > 0) LrFinderPlot.Save(lr, Path.Combine(folder.PlotsDir, "lr-find.png"));
        }
        if (BatchSize is { } batch)
        {
            batch.SaveJson(Path.Combine(folder.Root, "batch-size.json"));
            BatchSizePlot.Save(batch, Path.Combine(folder.PlotsDir, "batch-size.png"));
        }
    }
}
