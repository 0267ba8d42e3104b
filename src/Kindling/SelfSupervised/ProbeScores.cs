namespace Kindling.SelfSupervised;

/// <summary>One encoder's probe results (top-1 in [0, 1]); null where the method was not run.</summary>
public sealed record ProbeScores(double? Knn, double? Linear);
