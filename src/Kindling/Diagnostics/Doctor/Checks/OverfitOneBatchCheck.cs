using System.Globalization;
using System.Runtime.InteropServices;
using Kindling.Data.Loading;
using Kindling.Losses;
using Kindling.Optim;
using Kindling.Optim.Schedulers;
using Kindling.Training;
using Kindling.Training.Tasks;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// The seeds' first debugging step (004, 8.1): train on one small batch until it is learnt by heart. A
/// correct model and loss drive the loss towards zero and the batch's accuracy to 100% within a few
/// hundred steps; if they do not, the bug is in the model or the loss, not in the data. Adam at 3e-3
/// (a setting that overfits nearly anything), cross-entropy without label smoothing (whose floor is not
/// zero) unless the subject has its own loss, and no batch mixing or teacher (their losses have no zero floor
/// either). Everything else is the run's: the steps are the engine's (<see cref="TrainingSession"/>) with the
/// Trainer's precision, channels-last, clipping and device, so a fault there shows here as it would in training.
/// </summary>
public sealed class OverfitOneBatchCheck : IDoctorCheck
{
    /// <summary>The learning rate of the test's Adam.</summary>
    public const double Lr = 3e-3;

    /// <inheritdoc/>
    public string Name => "overfit-one-batch";

    /// <inheritdoc/>
    public bool Slow => true;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        var o = context.Options;
        if (!context.Model.parameters().Any(p => p.requires_grad)) yield break; // the gradient-flow check reports it
        var (n, steps, first, last, accuracy, failure) = Train(context);
        bool passed = failure is null && double.IsFinite(last) && last < o.OverfitLossRatio * first && accuracy == 1;
        if (passed) yield break;
        yield return new Finding(Name, Severity.Error,
            string.Create(CultureInfo.InvariantCulture,
                $"the model cannot overfit one batch of {n} samples: after {steps} Adam steps (lr {Lr:G2}) the loss went from {first:F4} to {last:F4} (target below {o.OverfitLossRatio * first:F4}) and the batch accuracy is {accuracy * 100:F0}%") +
            (failure is null ? "." : $": {failure}.") + " A correct model and loss learn one batch by heart, so the bug is in the model or the loss, not in the data.",
            "Check that the loss gets raw logits and the right targets, that the output depends on the input (no detach, no constant output) and that nothing is frozen by mistake.");
    }

    /// <summary>Steps on the first batch until it is learnt or the steps run out: the batch size, steps taken, first and last loss, last accuracy and why it could not train.</summary>
    static (long N, int Steps, double First, double Last, double Accuracy, string? Failure) Train(DoctorContext context)
    {
        var o = context.Options;
        var (images, labels) = context.FirstBatch;
        int n = (int)Math.Min(o.OverfitBatch, images.shape[0]);
        // The batch owns its tensors: copies, as the context keeps the first batch for the other checks.
        using var batch = new Batch([images[..n].clone()], labels[..n].clone(), null, Enumerable.Range(0, n).ToArray(), 0);
        var task = new DoctorTask(context.Model, context.NumClasses, new ClassificationOptions(), context.Subject.Loss ?? new CrossEntropy() { GuardedCalls = 0 });
        var trainer = context.Subject.Trainer with
        {
            Optimizer = new OptimizerOptions { Name = "adam", Lr = Lr },
            Schedule = new ScheduleOptions(),
            Epochs = 1,
            // One batch again and again: a window of N copies of it is one step on it at N times the cost.
            AccumulationSteps = 1,
            EmaDecay = null,
            NonFinite = NonFiniteAction.Skip,
            StepTimer = null,
        };
        var state = new TrainerState { Epoch = 1, Epochs = 1, BatchesPerEpoch = o.OverfitSteps, StepsPerEpoch = o.OverfitSteps };
        using var session = TrainingSession.Open(task, trainer, state, n);
        context.Model.train();
        session.ZeroGrad();
        double first = double.NaN, last = double.NaN, accuracy = 0;
        int steps = 0;
        for (; steps < o.OverfitSteps; steps++)
        {
            // The step's accuracy alone: the loss and accuracy are those of the weights before its update, as the seeds' loop reads them.
            session.Sums = new MetricSums();
            try
            {
                last = session.RunBatch(batch, steps).Loss ?? double.NaN;
            }
            catch (ExternalException e) when (e.Message.Contains("does not require grad", StringComparison.Ordinal))
            {
                return (n, steps, first, last, accuracy, "the loss does not depend on any trainable parameter (detached output)");
            }
            accuracy = session.Sums.Mean("accuracy") ?? 0;
            if (steps == 0) first = last;
            if (!double.IsFinite(last) || last < o.OverfitLossRatio * first && accuracy == 1) break;
        }
        return (n, steps, first, last, accuracy, null);
    }
}
