namespace Kindling.Metrics;

/// <summary>Precision, recall and F1 of one class (or an average), with its support.</summary>
public readonly record struct ClassMetrics(double Precision, double Recall, double F1, long Support);
