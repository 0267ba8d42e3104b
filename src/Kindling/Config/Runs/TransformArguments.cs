using System.Globalization;

namespace Kindling.Config.Runs;

/// <summary>Typed reads of a <see cref="Sections.TransformStep"/>'s arguments with torchvision's defaults for those not given.</summary>
public sealed class TransformArguments(IReadOnlyDictionary<string, object> values)
{
    /// <summary>Whether the argument was given.</summary>
    public bool Has(string name) => values.ContainsKey(name);

    /// <summary>The raw value, or null.</summary>
    public object? Get(string name) => values.GetValueOrDefault(name);

    /// <summary>An integer argument.</summary>
    public int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? Convert.ToInt32(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A number argument (an integer is read as a number).</summary>
    public double Double(string name, double fallback) => values.TryGetValue(name, out var v) ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A boolean argument.</summary>
    public bool Bool(string name, bool fallback) => values.TryGetValue(name, out var v) ? (bool)v : fallback;

    /// <summary>An enum argument from its snake-case name.</summary>
    public T Enum<T>(string name, T fallback) where T : struct, System.Enum =>
        values.TryGetValue(name, out var v) ? System.Enum.Parse<T>((string)v, ignoreCase: true) : fallback;

    /// <summary>A size: one side (square) or [height, width].</summary>
    public (int Height, int Width) Size(string name) => values.GetValueOrDefault(name) switch
    {
        int s => (s, s),
        int[] { Length: 2 } hw => (hw[0], hw[1]),
        int[] { Length: 1 } s => (s[0], s[0]),
        _ => throw new ArgumentException($"{name}: expected a size (one side or [height, width])."),
    };

    /// <summary>One integer or a list of them.</summary>
    public IReadOnlyList<int> Ints(string name) => values.GetValueOrDefault(name) switch
    {
        int i => [i],
        int[] a => a,
        _ => [],
    };

    /// <summary>One number or a list of them.</summary>
    public IReadOnlyList<double> Doubles(string name, IReadOnlyList<double> fallback) => values.GetValueOrDefault(name) switch
    {
        double d => [d],
        int i => [i],
        double[] a => a,
        _ => fallback,
    };

    /// <summary>A [min, max] pair, or null for the transform's default.</summary>
    public (double Min, double Max)? Pair(string name) => values.GetValueOrDefault(name) is double[] { Length: 2 } p ? (p[0], p[1]) : null;
}
