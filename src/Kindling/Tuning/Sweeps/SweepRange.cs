using System.Globalization;

namespace Kindling.Tuning.Sweeps;

/// <summary>
/// A range a random sweep draws from: uniform in [<see cref="Min"/>, <see cref="Max"/>], or
/// log-uniform (uniform in the exponent, as learning rates are searched) with <see cref="Log"/>.
/// Written <c>MIN:MAX</c> or <c>MIN:MAX:log</c>; integer ends (<c>64:256</c>) draw integers.
/// </summary>
public sealed record SweepRange(double Min, double Max, bool Log = false, bool Integer = false)
{
    /// <summary>Reads <c>MIN:MAX[:log]</c>.</summary>
    /// <param name="text">The range.</param>
    /// <param name="what">Names the flag and key in errors, e.g. "--range optimizer.lr".</param>
    /// <exception cref="SweepSpecException">Not two numbers, min not below max, or log with a non-positive end.</exception>
    public static SweepRange Parse(string text, string what)
    {
        var parts = text.Split(':');
        bool log = parts.Length == 3 && parts[2].Trim().Equals("log", StringComparison.OrdinalIgnoreCase);
        if (parts.Length is < 2 or > 3 || (parts.Length == 3 && !log))
            throw new SweepSpecException($"{what}: '{text}' is not a range; expected MIN:MAX or MIN:MAX:log, e.g. 1e-4:1e-1:log.");
        if (!TryNumber(parts[0], out double min) || !TryNumber(parts[1], out double max))
            throw new SweepSpecException($"{what}: '{text}' has an end that is not a number; expected MIN:MAX with numbers such as 0:0.5.");
        if (!(min < max)) throw new SweepSpecException($"{what}: the range {text} is empty; MIN must be below MAX.");
        if (log && min <= 0) throw new SweepSpecException($"{what}: a log range needs both ends above 0 (got {text}).");
        bool integer = IsInteger(parts[0]) && IsInteger(parts[1]);
        return new SweepRange(min, max, log, integer);
    }

    /// <summary>One value drawn with <paramref name="random"/>, as the text an override gets (4 significant digits; integers whole).</summary>
    public string Sample(Random random)
    {
        double u = random.NextDouble();
        double v = Log ? Math.Exp(Math.Log(Min) + u * (Math.Log(Max) - Math.Log(Min))) : Min + u * (Max - Min);
        if (Integer) return Math.Clamp(Math.Round(v), Min, Max).ToString("R", CultureInfo.InvariantCulture);
        // Four significant digits keep folder names and tables readable; the rounding stays inside the range.
        return Math.Clamp(double.Parse(v.ToString("G4", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), Min, Max).ToString("R", CultureInfo.InvariantCulture);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Min:R}:{Max:R}{(Log ? ":log" : "")}");

    static bool TryNumber(string s, out double value) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    static bool IsInteger(string s) => long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
}
