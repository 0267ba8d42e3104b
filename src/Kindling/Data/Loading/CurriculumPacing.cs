namespace Kindling.Data.Loading;

/// <summary>
/// A curriculum's pacing function: the fraction of the data set, easiest first, that epoch
/// <c>e</c> of <c>T</c> draws from. Progress is <c>p = min(1, e / (FullDataAt * T))</c>, so the
/// whole data set is in use from epoch <c>FullDataAt * T</c> on; <see cref="Kind"/> shapes the way
/// there from <see cref="InitialFraction"/>.
/// </summary>
/// <example><code>
/// var pacing = new CurriculumPacing { Kind = PacingKind.Root, InitialFraction = 0.25, FullDataAt = 0.5 };
/// </code></example>
public sealed record CurriculumPacing
{
    /// <summary>The shape of the growth; linear by default, as the seed.</summary>
    public PacingKind Kind { get; init; } = PacingKind.Linear;

    /// <summary>Fraction of the data set (the easiest) that epoch 0 uses, in (0, 1]; 0.2 as the seed.</summary>
    public double InitialFraction { get; init; } = 0.2;

    /// <summary>
    /// Fraction of training, in (0, 1], by which the whole data set is used. 1 gives the seed's formula
    /// (<c>b + (1 - b) e / T</c>), which never reaches the whole data set within training; the default 0.8
    /// leaves the last fifth of the epochs on all of it.
    /// </summary>
    public double FullDataAt { get; init; } = 0.8;

    /// <summary>Number of equal steps of <see cref="PacingKind.Step"/> (ignored by the others).</summary>
    public int Steps { get; init; } = 4;

    /// <summary>The fraction of the data set epoch <paramref name="epoch"/> of <paramref name="totalEpochs"/> uses, in [<see cref="InitialFraction"/>, 1].</summary>
    public double Fraction(int epoch, int totalEpochs)
    {
        Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (totalEpochs <= 0) throw new ArgumentOutOfRangeException(nameof(totalEpochs), $"total_epochs must be positive; got {totalEpochs}.");
        double p = epoch / (FullDataAt * totalEpochs);
        // Exactly 1 once reached, so that rounding in the formulas cannot leave the hardest sample out.
        if (p >= 1) return 1.0;
        double b = InitialFraction;
        return Kind switch
        {
            PacingKind.Linear => b + (1 - b) * p,
            PacingKind.Root => b + (1 - b) * Math.Sqrt(p),
            PacingKind.Exponential => Math.Pow(b, 1 - p),
            // The tolerance keeps a step boundary (p k an integer up to rounding) on the step it reaches.
            PacingKind.Step => b + (1 - b) * Math.Floor(p * Steps + 1e-9) / Steps,
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown pacing kind."),
        };
    }

    /// <summary>Throws with the name and value of the first invalid setting.</summary>
    public void Validate()
    {
        if (!(InitialFraction > 0 && InitialFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(InitialFraction), InitialFraction, "initial_fraction must be in (0, 1], the fraction of the data set the first epoch uses.");
        if (!(FullDataAt > 0 && FullDataAt <= 1))
            throw new ArgumentOutOfRangeException(nameof(FullDataAt), FullDataAt, "full_data_at must be in (0, 1], the fraction of training by which all data is used.");
        if (Steps <= 0) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "steps must be a positive number of pacing steps.");
        if (!Enum.IsDefined(Kind)) throw new ArgumentOutOfRangeException(nameof(Kind), Kind, $"pacing must be one of {string.Join(", ", Enum.GetNames<PacingKind>())}.");
    }
}
