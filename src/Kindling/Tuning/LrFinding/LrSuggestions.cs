namespace Kindling.Tuning.LrFinding;

/// <summary>Reads learning rates off a range test's smoothed curve.</summary>
public static class LrSuggestions
{
    /// <summary>
    /// The learning rate where the smoothed loss falls fastest against log10(lr): the most negative
    /// slope by central differences (one-sided at the ends), within the window left after the skips.
    /// </summary>
    /// <returns>null when fewer than 3 points remain.</returns>
    public static double? Steepest(IReadOnlyList<LrFinderPoint> points, int skipStart = 0, int skipEnd = 0)
    {
        var w = Window(points, skipStart, skipEnd);
        if (w.Count < 3) return null;
        int best = 0;
        double bestSlope = double.PositiveInfinity;
        for (int i = 0; i < w.Count; i++)
        {
            int a = Math.Max(i - 1, 0), b = Math.Min(i + 1, w.Count - 1);
            double slope = (w[b].SmoothedLoss - w[a].SmoothedLoss) / (Math.Log10(w[b].Lr) - Math.Log10(w[a].Lr));
            if (slope < bestSlope)
            {
                bestSlope = slope;
                best = i;
            }
        }
        return w[best].Lr;
    }

    /// <summary>The learning rate at the smoothed loss's minimum within the window; null when fewer than 3 points remain.</summary>
    public static double? Minimum(IReadOnlyList<LrFinderPoint> points, int skipStart = 0, int skipEnd = 0)
    {
        var w = Window(points, skipStart, skipEnd);
        return w.Count < 3 ? null : w.MinBy(p => p.SmoothedLoss)!.Lr;
    }

    /// <summary>
    /// The points less <paramref name="skipStart"/> at the start and <paramref name="skipEnd"/> at the end; a short
    /// curve keeps at least its middle half, so a sweep that diverged early still gets a suggestion.
    /// </summary>
    static IReadOnlyList<LrFinderPoint> Window(IReadOnlyList<LrFinderPoint> points, int skipStart, int skipEnd)
    {
        int n = points.Count;
        int start = Math.Min(skipStart, n / 4), end = Math.Min(skipEnd, n / 4);
        return points.Skip(start).Take(n - start - end).ToList();
    }
}
