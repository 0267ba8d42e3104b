using System.Globalization;

namespace Kindling.Config.Yaml;

/// <summary>Collects every problem of a recipe so the user fixes them all in one go, not one per run.</summary>
internal sealed class RecipeErrors
{
    readonly List<string> lines = [];

    public IReadOnlyList<string> Lines => lines;

    public int Count => lines.Count;

    public void Add(string path, string message) => lines.Add($"{path}: {message}");

    /// <summary>Adds an out-of-range error unless <paramref name="ok"/>.</summary>
    public void Check(bool ok, string path, object? value, string expected)
    {
        if (!ok) Add(path, $"{Show(value)} is out of range; expected {expected}.");
    }

    /// <summary>Adds an error unless <paramref name="value"/> is one of <paramref name="allowed"/> (case-insensitive).</summary>
    public void OneOf(string path, string? value, IEnumerable<string> allowed, string what)
    {
        var list = allowed.ToList();
        if (value is not null && list.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase)) return;
        var near = Suggest.Closest(value ?? "", list);
        Add(path, $"'{value}' is not a known {what}" + (near is null ? "" : $" (did you mean '{near}'?)") + $"; allowed: {string.Join(", ", list)}.");
    }

    public void ThrowIfAny(string source)
    {
        if (lines.Count > 0) throw new RecipeException(source, lines.ToArray());
    }

    public static string Show(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => $"'{s}'",
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Show)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
