using Kindling.Data.Loading;
using Kindling.Metrics;
using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// Evaluates a classifier on a split: eval mode (dropout off, BatchNorm on running statistics),
/// inference mode, one dispose scope per batch; accumulates loss (plain cross-entropy, whatever
/// smoothing training used), top-1/top-k accuracy, the confusion matrix and calibration without
/// keeping the logits. The model's training mode is restored afterwards.
/// </summary>
public static class Evaluator
{
    /// <summary>
    /// <paramref name="model"/>'s metrics on <paramref name="data"/>. With data-parallel replicas each evaluating a shard,
    /// <paramref name="sumAcrossReplicas"/> sums the counts across them (confusion matrix, loss sum, top-k hits, calibration
    /// bins), so the result is exactly the whole split's.
    /// </summary>
    public static EvalResult Evaluate(nn.Module<Tensor, Tensor> model, IEnumerable<Batch> data, int numClasses, Device? device = null,
        int topK = 5, ScalarType? computeType = null, bool channelsLast = false, Func<double[], double[]>? sumAcrossReplicas = null)
    {
        device ??= CPU;
        bool wasTraining = model.training;
        model.eval();
        var confusion = new ConfusionMatrix(numClasses);
        var top = new TopKAccuracy(topK);
        var ece = new ExpectedCalibrationError();
        double lossSum = 0;
        long samples = 0;
        try
        {
            using var _ = inference_mode();
            foreach (var batch in data)
            {
                using (batch)
                using (var scope = NewDisposeScope())
                {
                    var x = TrainingSession.PrepareInput(batch.Images, device, computeType, channelsLast);
                    var y = batch.Labels.to(device);
                    var logits = model.forward(x).to(float32);
                    lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
                    confusion.Update(logits, y);
                    top.Update(logits, y);
                    ece.Update(logits, y);
                    samples += batch.Count;
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        if (sumAcrossReplicas is not null) (lossSum, samples, confusion, top, ece) = Reduce(sumAcrossReplicas, lossSum, samples, confusion, top, ece);
        if (samples == 0) throw new InvalidOperationException("the evaluation split yielded no batches: nothing to measure.");
        return new EvalResult(lossSum / samples, confusion.Accuracy, top.Value, topK, confusion.Report(), confusion, ece.Value, ece, samples);
    }

    // Counts, not means, are summed: every metric is then computed from the whole split's totals. (Counts below 2^53 are exact in a double.)
    static (double, long, ConfusionMatrix, TopKAccuracy, ExpectedCalibrationError) Reduce(Func<double[], double[]> sum, double lossSum, long samples,
        ConfusionMatrix confusion, TopKAccuracy top, ExpectedCalibrationError ece)
    {
        int n = confusion.NumClasses;
        var local = new List<double> { lossSum, samples, top.Counts.Hits, top.Counts.Total };
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) local.Add(confusion[i, j]);
        for (int b = 0; b < ece.Bins; b++) local.AddRange([ece.Bin(b).Count, ece.Bin(b).ConfidenceSum, ece.Bin(b).Correct]);
        var total = sum([.. local]);
        var allConfusion = new ConfusionMatrix(n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (total[4 + i * n + j] > 0) allConfusion.Add(i, j, (long)total[4 + i * n + j]);
        var allTop = new TopKAccuracy(top.K);
        allTop.AddCounts((long)total[2], (long)total[3]);
        var allEce = new ExpectedCalibrationError(ece.Bins);
        for (int b = 0, at = 4 + n * n; b < ece.Bins; b++, at += 3) allEce.AddBin(b, (long)total[at], total[at + 1], (long)total[at + 2]);
        return (total[0], (long)total[1], allConfusion, allTop, allEce);
    }
}
