using System.Globalization;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// The same training images through the training transform and the eval transform: the shapes must
/// match and the per-channel statistics must agree up to what augmentation changes. A mismatch (normalize
/// missing from one side, other statistics, another size) means the model is validated on inputs it never
/// saw in training, and accuracy collapses at evaluation for no visible reason.
/// </summary>
public sealed class PreprocessingCheck : IDoctorCheck
{
    /// <summary>Channel means further apart than this many (eval) standard deviations are reported.</summary>
    public const double MaxMeanShift = 0.5;

    /// <summary>A standard deviation ratio outside [1/MaxStdRatio, MaxStdRatio] is reported.</summary>
    public const double MaxStdRatio = 2.0;

    /// <inheritdoc/>
    public string Name => "preprocessing";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public bool NeedsClassifier => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        if (context.Subject.TrainTransform is not { } trainTransform || context.Subject.EvalTransform is not { } evalTransform) yield break;
        var data = context.Loader.Dataset;
        var sample = new SubsetDataset(data, Enumerable.Range(0, Math.Min(data.Count, context.Options.PreprocessingSamples)));
        using var train = Images(sample, trainTransform);
        using var eval = Images(sample, evalTransform);
        if (!train.shape.SequenceEqual(eval.shape))
        {
            yield return new Finding(Name, Severity.Error,
                $"the training transform gives images of shape {Shape(train)} but the eval transform {Shape(eval)}: the model is evaluated on inputs of another size.",
                "Make the eval transforms end at the training size (resize/center_crop to the same side) and keep the same to_tensor/normalize.");
            yield break;
        }
        var (trainMean, trainStd) = InputNormalizationCheck.ChannelMoments(train);
        var (evalMean, evalStd) = InputNormalizationCheck.ChannelMoments(eval);
        var shifts = trainMean.Zip(evalMean, evalStd).Select(t => Math.Abs(t.First - t.Second) / Math.Max(t.Third, 1e-6)).ToArray();
        var ratios = trainStd.Zip(evalStd).Select(t => t.First / Math.Max(t.Second, 1e-12)).ToArray();
        if (shifts.Any(s => s > MaxMeanShift) || ratios.Any(r => r > MaxStdRatio || r < 1 / MaxStdRatio))
            yield return new Finding(Name, Severity.Warning,
                $"training and eval preprocessing differ on the same {sample.Count} images: per-channel mean {InputNormalizationCheck.Show(trainMean)} vs {InputNormalizationCheck.Show(evalMean)}, " +
                $"std {InputNormalizationCheck.Show(trainStd)} vs {InputNormalizationCheck.Show(evalStd)} (largest mean shift {shifts.Max().ToString("F2", CultureInfo.InvariantCulture)} std). " +
                "Validation then measures inputs unlike those the model learnt from.",
                "Use the same to_tensor and normalize (same mean/std) in transforms.train and transforms.eval; only the random augmentations should differ.");
    }

    static Tensor Images(IImageDataset data, ISampleTransform transform)
    {
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = data.Count, Seed = 0 }, transform);
        using var batch = loader.First();
        return batch.Images.clone().DetachFromDisposeScope();
    }

    static string Shape(Tensor t) => "[" + string.Join("x", t.shape.Skip(1)) + "]";
}
