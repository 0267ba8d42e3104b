namespace Kindling.Config.Sections;

/// <summary>Per-channel mean or std for Normalize: given values, or <c>auto</c> (computed from the training split).</summary>
public sealed record ChannelValues
{
    /// <summary>Computed from the training split (<c>auto</c> in a recipe).</summary>
    public static ChannelValues Auto { get; } = new() { IsAuto = true };

    /// <summary>Given values, one per channel (or one for every channel).</summary>
    public static ChannelValues Of(params double[] values) => new() { Values = values };

    /// <summary>Whether the values come from the data.</summary>
    public bool IsAuto { get; init; }

    /// <summary>The values when not <see cref="IsAuto"/>.</summary>
    public IReadOnlyList<double> Values { get; init; } = [];
}
