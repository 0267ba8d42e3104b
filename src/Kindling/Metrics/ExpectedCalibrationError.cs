using static TorchSharp.torch;

namespace Kindling.Metrics;

/// <summary>
/// Expected calibration error: the top-1 confidences are split into equal-width bins; ECE is the
/// support-weighted mean of |accuracy - mean confidence| over the bins (Guo et al. 2017). The bins
/// also give the reliability diagram.
/// </summary>
public sealed class ExpectedCalibrationError
{
    readonly long[] count;
    readonly double[] confidenceSum;
    readonly long[] correct;

    public ExpectedCalibrationError(int bins = 15)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "at least one bin.");
        Bins = bins;
        count = new long[bins];
        confidenceSum = new double[bins];
        correct = new long[bins];
    }

    public int Bins { get; }

    public void Update(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var (conf, pred) = nn.functional.softmax(logits.to(float32), 1).max(1);
        var c = conf.cpu().data<float>().ToArray();
        var hit = pred.eq(targets.to(int64)).cpu().data<bool>().ToArray();
        for (int i = 0; i < c.Length; i++) Add(c[i], hit[i]);
    }

    /// <summary>Adds one prediction with its confidence in [0, 1].</summary>
    public void Add(double confidence, bool isCorrect)
    {
        // Bins are (lo, hi]; a confidence of exactly 0 joins the first.
        int b = Math.Clamp((int)Math.Ceiling(confidence * Bins) - 1, 0, Bins - 1);
        count[b]++;
        confidenceSum[b] += confidence;
        if (isCorrect) correct[b]++;
    }

    /// <summary>Each bin's samples, confidence sum and correct predictions (to sum across data-parallel replicas).</summary>
    public (long Count, double ConfidenceSum, long Correct) Bin(int b) => (count[b], confidenceSum[b], correct[b]);

    /// <summary>Adds a bin's counts measured elsewhere (another replica's shard).</summary>
    public void AddBin(int b, long samples, double confidences, long hits)
    {
        count[b] += samples;
        confidenceSum[b] += confidences;
        correct[b] += hits;
    }

    public double Value
    {
        get
        {
            long total = count.Sum();
            if (total == 0) return 0;
            double ece = 0;
            for (int b = 0; b < Bins; b++)
                if (count[b] > 0)
                    ece += (double)count[b] / total * Math.Abs((double)correct[b] / count[b] - confidenceSum[b] / count[b]);
            return ece;
        }
    }

    /// <summary>Per bin: upper edge, samples, accuracy, mean confidence (for the reliability diagram).</summary>
    public IReadOnlyList<(double UpperEdge, long Count, double Accuracy, double Confidence)> Reliability() =>
        Enumerable.Range(0, Bins).Select(b => ((b + 1.0) / Bins, count[b],
            count[b] == 0 ? 0 : (double)correct[b] / count[b], count[b] == 0 ? 0 : confidenceSum[b] / count[b])).ToArray();
}
