namespace Kindling.Generative.Evaluation;

/// <summary>What <see cref="GeneratorEvaluation"/> measured.</summary>
/// <param name="FeatureNetwork">Which feature network (its description).</param>
/// <param name="Samples">Images generated.</param>
/// <param name="RealImages">Real (test split) images the samples were compared with.</param>
/// <param name="Fid">The Frechet distance between the features of the samples and of the real images.</param>
/// <param name="Floor">The real-vs-real floor: the same distance between training-split and test-split images (the FID of a perfect generator with this many samples); null when not measured.</param>
/// <param name="Coverage">The classifier's view of the samples.</param>
/// <param name="SampleSeconds">Time spent generating.</param>
public sealed record GeneratorReport(string FeatureNetwork, int Samples, int RealImages, double Fid, double? Floor, ClassCoverage Coverage, double SampleSeconds);
