using System.Globalization;
using System.Text.RegularExpressions;

namespace Kindling.Models.Blocks;

/// <summary>
/// A normalization choice: <c>batch</c>, <c>group(G)</c> or <c>none</c>, as written in configs and on the
/// command line.
/// </summary>
/// <param name="Kind">Batch, group or none.</param>
/// <param name="Groups">Number of groups for <see cref="NormKind.Group"/>; ignored otherwise.</param>
public sealed partial record NormSpec(NormKind Kind, int Groups = 32)
{
    /// <summary>BatchNorm2d.</summary>
    public static NormSpec Batch { get; } = new(NormKind.Batch);

    /// <summary>No normalization.</summary>
    public static NormSpec None { get; } = new(NormKind.None);

    /// <summary>GroupNorm with <paramref name="groups"/> groups.</summary>
    public static NormSpec Group(int groups) => groups >= 1
        ? new(NormKind.Group, groups)
        : throw new ArgumentOutOfRangeException(nameof(groups), groups, "GroupNorm needs at least one group.");

    /// <summary>Parses <c>batch</c>, <c>group(G)</c> (or <c>group</c> for 32 groups) and <c>none</c>.</summary>
    public static NormSpec Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t is "batch" or "bn" or "batchnorm") return Batch;
        if (t is "none" or "identity") return None;
        if (t is "group" or "gn" or "groupnorm") return Group(32);
        var m = GroupPattern().Match(t);
        if (m.Success) return Group(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        throw new ArgumentException($"Unknown norm '{text}': expected batch, group(G) (e.g. group(32)) or none.", nameof(text));
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        NormKind.Group => $"group({Groups})",
        NormKind.None => "none",
        _ => "batch",
    };

    [GeneratedRegex(@"^group\s*\(\s*(\d+)\s*\)$")]
    private static partial Regex GroupPattern();
}
