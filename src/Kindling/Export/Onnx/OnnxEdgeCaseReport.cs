namespace Kindling.Export.Onnx;

/// <summary>What <see cref="OnnxEdgeCaseCheck"/> measured, one row per input kind, and the tolerance it held them to.</summary>
/// <param name="Cases">The inputs, in the order they ran.</param>
/// <param name="Tolerance">The largest |difference| of a logit that passes.</param>
public sealed record OnnxEdgeCaseReport(IReadOnlyList<OnnxEdgeCase> Cases, double Tolerance)
{
    /// <summary>The rows over the tolerance (or not finite).</summary>
    public IEnumerable<OnnxEdgeCase> Failed => Cases.Where(c => !(c.MaxAbsDiff <= Tolerance));

    /// <summary>True when every row is within the tolerance.</summary>
    public bool Passed => !Failed.Any();
}
