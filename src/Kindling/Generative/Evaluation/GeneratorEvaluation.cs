using System.Diagnostics;
using static TorchSharp.torch;

namespace Kindling.Generative.Evaluation;

/// <summary>
/// Domain FID and class coverage of an <see cref="IImageGenerator"/>: generate, turn the samples into pixels, measure them
/// with a <see cref="FeatureNetwork"/>, and compare with real images measured the same way.
/// </summary>
public static class GeneratorEvaluation
{
    /// <summary>Runs the measurement.</summary>
    /// <param name="generator">The trained generator.</param>
    /// <param name="mean">The generator's recipe normalize mean (its samples are in that space).</param>
    /// <param name="std">The generator's recipe normalize std.</param>
    /// <param name="network">The feature network.</param>
    /// <param name="realTest">Real test-split pixels [N, C, H, W] in [0, 1].</param>
    /// <param name="realTrain">Real training-split pixels for the floor, or null to skip it.</param>
    /// <param name="samples">How many images to generate (10,000 for the usual FID).</param>
    /// <param name="options">Seed and batch size of the generation (the class is chosen here: classes in turn for a conditional generator).</param>
    /// <param name="log">Progress lines; null: none.</param>
    public static GeneratorReport Run(IImageGenerator generator, IReadOnlyList<double> mean, IReadOnlyList<double> std, FeatureNetwork network,
        Tensor realTest, Tensor? realTrain, int samples, GenerationOptions options, Action<string>? log = null)
    {
        if (samples < 2) throw new ArgumentException($"samples {samples}: FID needs at least 2 (10,000 is the usual count).", nameof(samples));
        using var scope = NewDisposeScope();
        var (realFeatures, _) = network.Measure(realTest);
        using var realFit = GaussianFit.Of(realFeatures);
        double? floor = null;
        if (realTrain is not null)
        {
            var (trainFeatures, _) = network.Measure(realTrain);
            using var trainFit = GaussianFit.Of(trainFeatures);
            floor = FrechetDistance.Between(trainFit, realFit);
            log?.Invoke($"real-vs-real floor (train {realTrain.shape[0]:N0} vs test {realTest.shape[0]:N0}): {floor:F3}");
        }
        var clock = Stopwatch.StartNew();
        log?.Invoke($"generating {samples:N0} samples ...");
        var generated = generator.Generate(samples, options with { Class = null });
        double seconds = clock.Elapsed.TotalSeconds;
        var pixels = GeneratedImages.ToPixels(generated, mean, std);
        var (fakeFeatures, probabilities) = network.Measure(pixels);
        using var fakeFit = GaussianFit.Of(fakeFeatures);
        double fid = FrechetDistance.Between(fakeFit, realFit);
        // A conditional generator without a class draws the classes in turn (IImageGenerator's contract): 0, 1, ..., 0, 1, ...
        Tensor? asked = generator.ConditionalClasses > 0 ? arange(samples, dtype: int64).remainder(generator.ConditionalClasses) : null;
        var coverage = ClassCoverage.Of(probabilities, network.Classes, asked);
        return new GeneratorReport(network.Description, samples, (int)realTest.shape[0], fid, floor, coverage, seconds);
    }
}
