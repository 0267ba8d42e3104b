namespace Kindling.Tuning.Sweeps;

/// <summary>
/// Successive halving (Jamieson and Talwalkar 2016; the synchronous form of Li et al.'s Hyperband
/// bracket): every trial trains to the first epoch budget, the best 1/eta of them go on to eta times
/// as many epochs, and so on until the full budget. Promoted trials continue from their checkpoint,
/// so every trial trains on the full-length schedule and is only stopped early.
/// </summary>
public static class SuccessiveHalving
{
    /// <summary>The epoch budgets: min, min*eta, min*eta^2, ... below max, then max.</summary>
    /// <exception cref="SweepSpecException">min below 1, max below min, or eta below 2.</exception>
    public static IReadOnlyList<int> Rungs(int minEpochs, int maxEpochs, int eta)
    {
        if (eta < 2) throw new SweepSpecException($"--eta {eta}: expected 2 or more (each rung keeps 1/eta of the trials).");
        if (minEpochs < 1) throw new SweepSpecException($"--min-epochs {minEpochs}: expected at least 1.");
        if (maxEpochs < minEpochs) throw new SweepSpecException($"the epoch budget ({maxEpochs}) is below --min-epochs ({minEpochs}).");
        var rungs = new List<int>();
        for (long e = minEpochs; e < maxEpochs; e *= eta) rungs.Add((int)e);
        rungs.Add(maxEpochs);
        return rungs;
    }

    /// <summary>How many of <paramref name="count"/> trials a rung promotes: floor(count / eta), at least one.</summary>
    public static int Keep(int count, int eta) => Math.Max(1, count / eta);

    /// <summary>
    /// The trials that go on: the best <see cref="Keep"/> by <paramref name="scores"/> (higher is better
    /// for mode "max"). A trial without a score (diverged, failed) ranks last; ties keep trial order.
    /// </summary>
    /// <param name="scores">Trial id and its metric at this rung's budget.</param>
    /// <param name="eta">The reduction factor.</param>
    /// <param name="mode">"max" or "min".</param>
    public static IReadOnlyList<int> Promote(IReadOnlyList<(int Trial, double? Score)> scores, int eta, string mode)
    {
        bool max = mode switch { "max" => true, "min" => false, _ => throw new SweepSpecException($"--mode {mode}: expected max or min.") };
        return scores
            .Select((s, order) => (s.Trial, Score: s.Score is double v && !double.IsNaN(v) ? (max ? -v : v) : double.PositiveInfinity, order))
            .OrderBy(s => s.Score).ThenBy(s => s.order)
            .Take(Keep(scores.Count, eta))
            .Select(s => s.Trial).ToList();
    }
}
