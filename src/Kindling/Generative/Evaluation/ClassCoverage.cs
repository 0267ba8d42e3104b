using static TorchSharp.torch;

namespace Kindling.Generative.Evaluation;

/// <summary>
/// What a classifier makes of generated images: how many fall in each class (mode collapse shows as missing classes), its
/// mean confidence (the top probability), and for a conditional generator the share classified as the class asked for.
/// </summary>
/// <param name="Classes">Class names by label.</param>
/// <param name="Counts">Samples per predicted class.</param>
/// <param name="MeanConfidence">The mean of each sample's top probability.</param>
/// <param name="AskedClassShare">The share of samples predicted as the class they were generated for; null for an unconditional generator.</param>
public sealed record ClassCoverage(IReadOnlyList<string> Classes, IReadOnlyList<int> Counts, double MeanConfidence, double? AskedClassShare)
{
    /// <summary>All samples.</summary>
    public int Total => Counts.Sum();

    /// <summary>The smallest share of the samples any class gets.</summary>
    public double MinShare => Total == 0 ? 0 : (double)Counts.Min() / Total;

    /// <summary>The coverage of probabilities [N, K]; <paramref name="asked"/> [N] the classes asked for, or null.</summary>
    public static ClassCoverage Of(Tensor probabilities, IReadOnlyList<string> classes, Tensor? asked = null)
    {
        if (probabilities.dim() != 2 || probabilities.shape[1] != classes.Count)
            throw new ArgumentException($"probabilities must be [N, {classes.Count}]; got [{string.Join(", ", probabilities.shape)}].", nameof(probabilities));
        using var scope = NewDisposeScope();
        var (top, predicted) = probabilities.to(float64).cpu().max(1);
        var counts = new int[classes.Count];
        foreach (var p in predicted.data<long>()) counts[p]++;
        double confidence = probabilities.shape[0] == 0 ? 0 : top.mean().item<double>();
        double? share = asked is null || probabilities.shape[0] == 0 ? null : predicted.eq(asked.cpu().to(int64)).to(float64).mean().item<double>();
        return new ClassCoverage(classes, counts, confidence, share);
    }
}
