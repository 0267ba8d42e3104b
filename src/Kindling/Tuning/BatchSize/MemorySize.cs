using System.Globalization;

namespace Kindling.Tuning.BatchSize;

/// <summary>Memory sizes as people write them: 6GiB, 6G, 512MiB, 512MB, 1048576 (bytes); binary units throughout.</summary>
public static class MemorySize
{
    static readonly (string Suffix, long Factor)[] Units =
    [
        ("tib", 1L << 40), ("tb", 1L << 40), ("t", 1L << 40),
        ("gib", 1L << 30), ("gb", 1L << 30), ("g", 1L << 30),
        ("mib", 1L << 20), ("mb", 1L << 20), ("m", 1L << 20),
        ("kib", 1L << 10), ("kb", 1L << 10), ("k", 1L << 10),
        ("b", 1),
    ];

    /// <summary>The number of bytes <paramref name="text"/> names.</summary>
    /// <exception cref="ArgumentException">Not a positive size with a known unit.</exception>
    public static long Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);
        var (suffix, factor) = Units.FirstOrDefault(u => t.EndsWith(u.Suffix, StringComparison.Ordinal) && t.Length > u.Suffix.Length && char.IsDigit(t[^(u.Suffix.Length + 1)]));
        var number = suffix is null ? t : t[..^suffix.Length];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0) || !double.IsFinite(value))
            throw new ArgumentException($"'{text}' is not a memory size; expected a positive number with a unit, e.g. 6GiB, 512MiB or 1048576 (bytes).");
        return (long)(value * (suffix is null ? 1 : factor));
    }
}
