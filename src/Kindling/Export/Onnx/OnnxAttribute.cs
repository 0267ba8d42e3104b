namespace Kindling.Export.Onnx;

/// <summary>A node attribute: exactly one of an int, a float, a string, int list or float list is set.</summary>
public sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, string? String = null, long[]? Ints = null, float[]? Floats = null)
{
    /// <summary>An integer attribute.</summary>
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);

    /// <summary>A string attribute.</summary>
    public static OnnxAttribute Of(string name, string value) => new(name, String: value);

    /// <summary>An integer-list attribute.</summary>
    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);
}
