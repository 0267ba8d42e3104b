using System.Globalization;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// Labels outside [0, classes), classes with no training sample, and strong class imbalance: read
/// from every training label (no images are decoded). An out-of-range label makes cross-entropy fail
/// mid-epoch (or, on GPU, trips a device assert); a missing class can never be learned.
/// </summary>
public sealed class LabelCheck : IDoctorCheck
{
    /// <inheritdoc/>
    public string Name => "labels";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public bool NeedsClassifier => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        var data = context.Loader.Dataset;
        if (!data.HasLabels) yield break; // an unlabelled set (a GAN's, SimCLR's) has no labels to be wrong
        int classes = data.Classes.Count;
        var counts = new long[classes];
        var outside = new SortedDictionary<int, int>();
        for (int i = 0; i < data.Count; i++)
        {
            int label = data.GetLabel(i);
            if (label >= 0 && label < classes) counts[label]++;
            else outside[label] = outside.GetValueOrDefault(label) + 1;
        }
        if (outside.Count > 0)
            yield return new Finding(Name, Severity.Error,
                $"{outside.Values.Sum():N0} training labels are outside 0..{classes - 1} ({classes} classes): " +
                string.Join(", ", outside.Take(5).Select(kv => $"label {kv.Key} x{kv.Value:N0}")) + (outside.Count > 5 ? ", ..." : "") +
                "; cross-entropy fails on them.",
                "Fix the labels or the class list: labels must be 0-based class indices below the number of classes (data.classes).");
        var missing = Enumerable.Range(0, classes).Where(c => counts[c] == 0).ToList();
        if (missing.Count > 0)
            yield return new Finding(Name, Severity.Warning,
                $"{missing.Count} of {classes} classes have no training sample: {string.Join(", ", missing.Take(8).Select(c => $"{c} ({data.Classes[c]})"))}{(missing.Count > 8 ? ", ..." : "")}. They can never be predicted.",
                "Check the data split and the class list; drop classes that do not occur or add their samples.");
        var present = counts.Where(c => c > 0).ToList();
        if (present.Count >= 2)
        {
            double ratio = (double)present.Max() / present.Min();
            if (ratio > context.Options.ImbalanceRatio)
            {
                int most = Array.IndexOf(counts, present.Max()), least = Array.IndexOf(counts, present.Min());
                yield return new Finding(Name, Severity.Warning,
                    string.Create(CultureInfo.InvariantCulture, $"classes are strongly imbalanced: '{data.Classes[most]}' has {counts[most]:N0} samples, '{data.Classes[least]}' {counts[least]:N0} ({ratio:F1}x). Accuracy will mostly measure the large classes."),
                    "Sample by class (WeightedRandomSampler with 1/count weights), weight the loss, and watch macro F1 rather than accuracy.");
            }
        }
    }
}
