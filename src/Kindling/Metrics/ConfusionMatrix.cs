using static TorchSharp.torch;

namespace Kindling.Metrics;

/// <summary>
/// Counts of (true class, predicted class) accumulated over a split, without keeping the logits.
/// Rows are true classes, columns predictions. Precision, recall and F1 derive from it.
/// </summary>
public sealed class ConfusionMatrix
{
    readonly long[,] counts;

    public ConfusionMatrix(int numClasses)
    {
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "a confusion matrix needs at least one class.");
        NumClasses = numClasses;
        counts = new long[numClasses, numClasses];
    }

    public int NumClasses { get; }

    /// <summary>Samples counted so far.</summary>
    public long Total { get; private set; }

    /// <summary>Count of samples of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => counts[actual, predicted];

    /// <summary>Adds one prediction.</summary>
    public void Add(int actual, int predicted, long count = 1)
    {
        if ((uint)actual >= (uint)NumClasses) throw new ArgumentOutOfRangeException(nameof(actual), actual, $"true label out of range 0..{NumClasses - 1}.");
        if ((uint)predicted >= (uint)NumClasses) throw new ArgumentOutOfRangeException(nameof(predicted), predicted, $"prediction out of range 0..{NumClasses - 1}.");
        counts[actual, predicted] += count;
        Total += count;
    }

    /// <summary>Adds a batch: logits [N, K] (arg-maxed) or predicted classes [N], and targets [N].</summary>
    public void Update(Tensor logitsOrPredictions, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var predictions = logitsOrPredictions.dim() == 2 ? logitsOrPredictions.argmax(1) : logitsOrPredictions;
        // One bincount on the device instead of N scalar reads.
        var pairs = targets.to(int64) * NumClasses + predictions.to(int64);
        var binned = pairs.bincount(null, NumClasses * NumClasses).cpu().data<long>().ToArray();
        if (binned.Length > NumClasses * NumClasses)
            throw new ArgumentException($"labels or predictions outside 0..{NumClasses - 1} for a {NumClasses}-class confusion matrix.");
        for (int i = 0; i < binned.Length; i++)
            if (binned[i] != 0) Add(i / NumClasses, i % NumClasses, binned[i]);
    }

    /// <summary>True samples of class <paramref name="c"/>.</summary>
    public long Support(int c) { long s = 0; for (int j = 0; j < NumClasses; j++) s += counts[c, j]; return s; }

    /// <summary>Samples predicted as class <paramref name="c"/>.</summary>
    public long Predicted(int c) { long s = 0; for (int i = 0; i < NumClasses; i++) s += counts[i, c]; return s; }

    /// <summary>Fraction of samples on the diagonal.</summary>
    public double Accuracy
    {
        get
        {
            long hit = 0;
            for (int c = 0; c < NumClasses; c++) hit += counts[c, c];
            return Total == 0 ? 0 : (double)hit / Total;
        }
    }

    /// <summary>Precision, recall and F1 per class and averaged.</summary>
    public ClassificationReport Report() => ClassificationReport.From(this);

    /// <summary>The counts as a jagged array (rows = true classes).</summary>
    public long[][] ToArray() => Enumerable.Range(0, NumClasses).Select(i => Enumerable.Range(0, NumClasses).Select(j => counts[i, j]).ToArray()).ToArray();
}
