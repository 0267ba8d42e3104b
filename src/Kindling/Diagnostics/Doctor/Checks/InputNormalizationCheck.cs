using System.Globalization;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// The first training batch's per-channel mean and standard deviation, as the model sees them: far from
/// 0 and 1 means Normalize is missing or has the wrong statistics, which slows training and makes the
/// usual learning rates and initialisations wrong (raw 0..255 pixels are the worst case).
/// </summary>
public sealed class InputNormalizationCheck : IDoctorCheck
{
    /// <summary>|mean| above this is reported.</summary>
    public const double MaxMean = 0.5;

    /// <summary>A standard deviation outside [MinStd, MaxStd] is reported.</summary>
    public const double MinStd = 0.5, MaxStd = 2.0;

    /// <inheritdoc/>
    public string Name => "input-normalization";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public bool NeedsClassifier => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        var (mean, std) = ChannelMoments(context.FirstBatch.Images);
        bool off = mean.Any(m => Math.Abs(m) > MaxMean) || std.Any(s => s < MinStd || s > MaxStd);
        if (!off) yield break;
        yield return new Finding(Name, Severity.Warning,
            $"the inputs are not normalized: per-channel mean {Show(mean)}, std {Show(std)} on the first batch (expected near 0 and 1)" +
            (mean.Any(m => m > 2) ? "; they look like raw 0..255 pixels" : "") + ".",
            "Put normalize after to_tensor with the training set's mean/std (data.mean: auto, data.std: auto computes them).");
    }

    /// <summary>Per-channel mean and standard deviation of an [N, C, ...] batch.</summary>
    public static (double[] Mean, double[] Std) ChannelMoments(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = images.detach().to(float64).transpose(0, 1).reshape(images.shape[1], -1);
        return (x.mean([1]).cpu().data<double>().ToArray(), x.std(1).cpu().data<double>().ToArray());
    }

    internal static string Show(IEnumerable<double> values) =>
        "[" + string.Join(", ", values.Select(v => v.ToString("F3", CultureInfo.InvariantCulture))) + "]";
}
