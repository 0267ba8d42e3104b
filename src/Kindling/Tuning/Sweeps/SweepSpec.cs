namespace Kindling.Tuning.Sweeps;

/// <summary>
/// What a sweep tries: a grid (the cartesian product of every <see cref="SweepDimension.Values"/>
/// list, the first key varying slowest, as itertools.product) or <see cref="RandomTrials"/> draws,
/// each key from its range (uniform or log-uniform) or its choices, reproducible for a
/// <see cref="Seed"/>, or listed <see cref="Cases"/> (an ablation table's rows, which a grid cannot express when the rows
/// change different keys). Each trial is a list of <c>key=value</c> overrides on one base recipe.
/// </summary>
public sealed record SweepSpec
{
    /// <summary>The keys varied, in the order given.</summary>
    public required IReadOnlyList<SweepDimension> Dimensions { get; init; }

    /// <summary>Random trials to draw; null for a grid.</summary>
    public int? RandomTrials { get; init; }

    /// <summary>Listed trials, each its own overrides (a key a case does not set keeps the recipe's value); null for a grid or a random search.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>>? Cases { get; init; }

    /// <summary>Seeds the random draws (the trials' own training seed stays the recipe's).</summary>
    public int Seed { get; init; }

    /// <summary>Whether this is a random search.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsRandom => RandomTrials is not null;

    /// <summary>A grid over <c>KEY=V1,V2</c> specs.</summary>
    /// <exception cref="SweepSpecException">A malformed or repeated key.</exception>
    public static SweepSpec Grid(IEnumerable<string> grid) =>
        Create(grid.Select(g => SweepDimension.ParseValues(g, "--grid")).ToList(), null, 0);

    /// <summary>A random search: <paramref name="trials"/> draws over <c>KEY=MIN:MAX[:log]</c> ranges and <c>KEY=V1,V2</c> choices.</summary>
    /// <exception cref="SweepSpecException">A malformed range or choice, a repeated key, or fewer than one trial.</exception>
    public static SweepSpec Random(int trials, IEnumerable<string> ranges, IEnumerable<string>? choices = null, int seed = 0)
    {
        if (trials < 1) throw new SweepSpecException($"--random {trials}: expected at least 1 trial.");
        var dims = ranges.Select(SweepDimension.ParseRange).Concat((choices ?? []).Select(c => SweepDimension.ParseValues(c, "--choice"))).ToList();
        return Create(dims, trials, seed);
    }

    /// <summary>
    /// Listed trials, each <c>KEY=VALUE;KEY=VALUE</c> (e.g. <c>optimizer.name=sgd;optimizer.lr=0.01;optimizer.momentum=0.9</c>):
    /// the rows of an ablation. The dimensions are every key some case sets, with the values the cases give.
    /// </summary>
    /// <exception cref="SweepSpecException">A malformed case, a key set twice in one case, or a case listed twice.</exception>
    public static SweepSpec FromCases(IEnumerable<string> cases)
    {
        var parsed = new List<IReadOnlyDictionary<string, string>>();
        foreach (var text in cases)
        {
            var assignments = text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(a => SweepDimension.ParseValue(a, "--case")).ToList();
            if (assignments.Count == 0) throw new SweepSpecException($"--case '{text}': expected KEY=VALUE;KEY=VALUE (e.g. optimizer.name=sgd;optimizer.lr=0.01).");
            if (assignments.GroupBy(a => a.Key).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new SweepSpecException($"--case '{text}': sets {twice.Key} twice; give each key once per case.");
            var overrides = assignments.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
            if (parsed.Any(p => p.Count == overrides.Count && p.All(kv => overrides.GetValueOrDefault(kv.Key) == kv.Value)))
                throw new SweepSpecException($"--case '{text}' is listed twice.");
            parsed.Add(overrides);
        }
        var keys = parsed.SelectMany(c => c.Keys).Distinct().ToList();
        var dimensions = keys.Select(k => new SweepDimension { Key = k, Values = parsed.Where(c => c.ContainsKey(k)).Select(c => c[k]).Distinct().ToList() }).ToList();
        if (dimensions.Count == 0) throw new SweepSpecException("a case sweep needs at least one --case KEY=VALUE;KEY=VALUE.");
        return new SweepSpec { Dimensions = dimensions, Cases = parsed };
    }

    static SweepSpec Create(List<SweepDimension> dimensions, int? trials, int seed)
    {
        if (dimensions.Count == 0)
            throw new SweepSpecException(trials is null
                ? "a grid sweep needs at least one --grid KEY=V1,V2 (e.g. --grid optimizer.lr=1e-3,3e-3)."
                : "a random sweep needs at least one --range KEY=MIN:MAX[:log] or --choice KEY=V1,V2.");
        var twice = dimensions.GroupBy(d => d.Key).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new SweepSpecException($"the key {twice.Key} is swept twice; give each key once.");
        return new SweepSpec { Dimensions = dimensions, RandomTrials = trials, Seed = seed };
    }

    /// <summary>Every trial's overrides, in trial order: each a list of (key, value) in <see cref="Dimensions"/> order.</summary>
    public IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> Expand()
    {
        var trials = new List<IReadOnlyList<KeyValuePair<string, string>>>();
        if (Cases is not null)
            return Cases.Select(c => (IReadOnlyList<KeyValuePair<string, string>>)Dimensions.Where(d => c.ContainsKey(d.Key))
                .Select(d => new KeyValuePair<string, string>(d.Key, c[d.Key])).ToList()).ToList();
        if (RandomTrials is int n)
        {
            var random = new System.Random(Seed);
            for (int t = 0; t < n; t++)
                trials.Add(Dimensions.Select(d => new KeyValuePair<string, string>(d.Key,
                    d.Range is { } r ? r.Sample(random) : d.Values![random.Next(d.Values.Count)])).ToList());
            return trials;
        }
        if (Dimensions.Any(d => d.Values is null)) throw new SweepSpecException("a grid sweep takes values (KEY=V1,V2), not ranges; ranges need --random N.");
        IEnumerable<List<KeyValuePair<string, string>>> product = [[]];
        foreach (var d in Dimensions)
            product = product.SelectMany(prefix => d.Values!.Select(v => new List<KeyValuePair<string, string>>(prefix) { new(d.Key, v) }));
        trials.AddRange(product);
        return trials;
    }
}
