using Kindling.Data.Transforms;

namespace Kindling.Reporting;

/// <summary>What <see cref="SampleGrid.Save"/> draws and how it lays it out (torchvision's <c>make_grid</c>: <c>nrow</c>, <c>padding</c>).</summary>
public sealed record SampleGridOptions
{
    /// <summary>How many samples (at least 1; capped at the data set's size).</summary>
    public int Count { get; init; } = 32;

    /// <summary>Seeds the choice of samples and the augmentation's draws: the same seed gives the same picture.</summary>
    public int Seed { get; init; }

    /// <summary>Images per row (make_grid's <c>nrow</c>).</summary>
    public int Nrow { get; init; } = 8;

    /// <summary>Pixels between and around the cells (make_grid's <c>padding</c>).</summary>
    public int Padding { get; init; } = 2;

    /// <summary>Integer upscaling of every image (nearest neighbour, so pixels stay pixels); 0 picks the smallest that makes a cell at least 64 px.</summary>
    public int Scale { get; init; }

    /// <summary>The training augmentation; when set, a second panel shows each sample after it.</summary>
    public ISampleTransform? Augment { get; init; }

    /// <summary>The normalization <see cref="Augment"/> ends with (per channel); a float output is mapped back with <c>x * std + mean</c> before drawing. Null: none.</summary>
    public IReadOnlyList<double>? Mean { get; init; }

    /// <summary>The standard deviations that go with <see cref="Mean"/>.</summary>
    public IReadOnlyList<double>? Std { get; init; }
}
