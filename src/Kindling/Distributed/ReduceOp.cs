namespace Kindling.Distributed;

/// <summary>How a collective combines the ranks' values, element by element.</summary>
public enum ReduceOp
{
    /// <summary>The sum (gradients, counts).</summary>
    Sum,

    /// <summary>The largest value (agreement: "did any rank see X").</summary>
    Max,

    /// <summary>The smallest value (agreement: "did every rank see X").</summary>
    Min,
}
