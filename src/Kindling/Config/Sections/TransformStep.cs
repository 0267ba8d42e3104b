namespace Kindling.Config.Sections;

/// <summary>
/// One item of a transform list: a torchvision transform's name in snake case and its arguments
/// under torchvision's names (<c>- random_crop: {size: 32, padding: 4, padding_mode: reflect}</c>).
/// Argument values are int, double, bool, string or int[]/double[] as the transform's catalogue entry says.
/// </summary>
/// <param name="Name">The transform, e.g. random_crop.</param>
/// <param name="Arguments">The arguments given; the rest take torchvision's defaults.</param>
public sealed record TransformStep(string Name, IReadOnlyDictionary<string, object> Arguments)
{
    /// <summary>A step without arguments.</summary>
    public TransformStep(string name) : this(name, new Dictionary<string, object>()) { }
}
