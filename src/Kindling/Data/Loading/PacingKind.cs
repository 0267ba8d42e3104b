namespace Kindling.Data.Loading;

/// <summary>
/// How a curriculum's pool grows from its initial fraction to the whole data set (the pacing functions
/// of Hacohen &amp; Weinshall 2019 and Wu et al. 2021, "When do curricula work?"), as a function of the
/// progress p in [0, 1] towards <see cref="CurriculumPacing.FullDataAt"/> and the initial fraction b.
/// </summary>
public enum PacingKind
{
    /// <summary><c>b + (1 - b) p</c>: the seed's pacing (with full data at the end of training).</summary>
    Linear,

    /// <summary><c>b + (1 - b) sqrt(p)</c>: grows fast early, so hard samples come in soon.</summary>
    Root,

    /// <summary><c>b^(1 - p)</c>: geometric growth by a constant factor per epoch; stays on easy samples longest.</summary>
    Exponential,

    /// <summary><c>b + (1 - b) floor(p k) / k</c>: <see cref="CurriculumPacing.Steps"/> equal steps, each held for several epochs.</summary>
    Step,
}
