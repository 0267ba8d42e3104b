namespace Kindling.Compression.Fusion;

/// <summary>A BatchNorm that fusion leaves in place, and why it cannot be folded.</summary>
/// <param name="Norm">Its <c>named_modules()</c> path.</param>
/// <param name="Reason">Why (e.g. it comes before its convolution, as in pre-activation blocks).</param>
public sealed record UnfoldedNorm(string Norm, string Reason);
