namespace Kindling.Training;

/// <summary>
/// An epoch's running weighted sums of the metrics a task logs (sum of value x weight, sum of weights), in the order
/// first logged. Kept as sums, not means, so an interrupted epoch resumes with exactly the numbers it had.
/// </summary>
public sealed class MetricSums
{
    readonly Dictionary<string, (double Sum, double Weight)> sums = new();

    /// <summary>Adds an already weighted <paramref name="sum"/> and its <paramref name="weight"/> to <paramref name="name"/>.</summary>
    public void Add(string name, double sum, double weight)
    {
        var (s, w) = sums.GetValueOrDefault(name);
        sums[name] = (s + sum, w + weight);
    }

    /// <summary>The weighted mean of <paramref name="name"/>, or null when nothing was logged under it.</summary>
    public double? Mean(string name) => sums.TryGetValue(name, out var v) ? v.Sum / Math.Max(v.Weight, double.Epsilon) : null;

    /// <summary>Every metric's weighted mean, in the order first logged.</summary>
    public IReadOnlyDictionary<string, double> Means() => sums.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / Math.Max(kv.Value.Weight, double.Epsilon));

    /// <summary>The sums as [sum, weight] pairs, for a checkpoint of an interrupted epoch.</summary>
    public Dictionary<string, double[]> ToState() => sums.ToDictionary(kv => kv.Key, kv => new[] { kv.Value.Sum, kv.Value.Weight });

    /// <summary>Sums restored from <see cref="ToState"/>.</summary>
    public static MetricSums FromState(IReadOnlyDictionary<string, double[]>? state)
    {
        var result = new MetricSums();
        foreach (var (name, v) in state ?? new Dictionary<string, double[]>()) result.sums[name] = (v[0], v[1]);
        return result;
    }
}
