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
    public static EvalResult Evaluate(nn.Module<Tensor, Tensor> model, IEnumerable<Batch> data, int numClasses, Device? device = null,
        int topK = 5, ScalarType? computeType = null, bool channelsLast = false)
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
        if (samples == 0) throw new InvalidOperationException("the evaluation split yielded no batches: nothing to measure.");
        return new EvalResult(lossSum / samples, confusion.Accuracy, top.Value, topK, confusion.Report(), confusion, ece.Value, ece, samples);
    }
}
