namespace Kindling.Tuning.Sweeps;

/// <summary>
/// One recipe key a sweep varies: a list of <see cref="Values"/> (a grid axis, or choices a random
/// sweep picks from) or a <see cref="Range"/> a random sweep draws from. Values are recipe text, read
/// as YAML like <c>--set</c> values.
/// </summary>
public sealed record SweepDimension
{
    /// <summary>The dotted recipe key, e.g. optimizer.lr.</summary>
    public required string Key { get; init; }

    /// <summary>The values, or null for a range.</summary>
    public IReadOnlyList<string>? Values { get; init; }

    /// <summary>The range, or null for values.</summary>
    public SweepRange? Range { get; init; }

    /// <summary>Reads <c>KEY=V1,V2,...</c> (<c>--grid</c>, <c>--choice</c>).</summary>
    /// <exception cref="SweepSpecException">No '=', no key, or an empty value.</exception>
    public static SweepDimension ParseValues(string text, string flag)
    {
        var (key, rest) = Split(text, flag, "KEY=V1,V2 (e.g. optimizer.lr=1e-3,3e-3)");
        var values = rest.Split(',').Select(v => v.Trim()).ToList();
        if (values.Any(v => v.Length == 0))
            throw new SweepSpecException($"{flag} {key}: '{rest}' has an empty value; expected comma-separated values such as 1e-3,3e-3.");
        var repeated = values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new SweepSpecException($"{flag} {key}: the value '{repeated.Key}' is listed twice.");
        return new SweepDimension { Key = key, Values = values };
    }

    /// <summary>Reads one <c>KEY=VALUE</c> (a <c>--case</c> assignment; the value may hold commas, as a YAML list does).</summary>
    /// <exception cref="SweepSpecException">No '=', no key, or no value.</exception>
    public static KeyValuePair<string, string> ParseValue(string text, string flag)
    {
        var (key, value) = Split(text, flag, "KEY=VALUE (e.g. optimizer.lr=0.01)");
        return new(key, value);
    }

    /// <summary>Reads <c>KEY=MIN:MAX[:log]</c> (<c>--range</c>).</summary>
    /// <exception cref="SweepSpecException">No '=', no key, or a bad range.</exception>
    public static SweepDimension ParseRange(string text)
    {
        var (key, rest) = Split(text, "--range", "KEY=MIN:MAX[:log] (e.g. optimizer.lr=1e-4:1e-1:log)");
        return new SweepDimension { Key = key, Range = SweepRange.Parse(rest, $"--range {key}") };
    }

    static (string Key, string Text) Split(string text, string flag, string expected)
    {
        int eq = text.IndexOf('=');
        var key = eq < 0 ? "" : text[..eq].Trim();
        if (eq <= 0 || key.Length == 0) throw new SweepSpecException($"{flag} {text}: expected {expected}.");
        var rest = text[(eq + 1)..].Trim();
        if (rest.Length == 0) throw new SweepSpecException($"{flag} {key}: no values after '='; expected {expected}.");
        return (key, rest);
    }
}
