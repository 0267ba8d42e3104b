using System.Globalization;
using Kindling.Losses;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// The seeds' first debugging step (004, 8.1): train on one small batch until it is learnt by heart. A
/// correct model and loss drive the loss towards zero and the batch's accuracy to 100% within a few
/// hundred steps; if they do not, the bug is in the model or the loss, not in the data. Adam at 3e-3
/// (a setting that overfits nearly anything), cross-entropy without label smoothing (whose floor is not
/// zero) unless the subject has its own loss.
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
        var model = context.Model;
        var (images, labels) = context.FirstBatch;
        long n = Math.Min(o.OverfitBatch, images.shape[0]);
        using var x = images[..(int)n].clone();
        using var y = labels[..(int)n].clone();
        ILoss loss = context.Subject.Loss ?? new CrossEntropy() { GuardedCalls = 0 };
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        if (trainable.Count == 0) yield break; // the gradient-flow check reports it
        using var optimizer = optim.Adam(trainable, Lr);
        double first = double.NaN, last = double.NaN, accuracy = 0;
        int steps = 0;
        string? failure = null;
        for (; steps < o.OverfitSteps; steps++)
        {
            using var scope = NewDisposeScope();
            model.train();
            var logits = model.call(x).to(float32);
            var l = loss.Forward(logits, y);
            last = l.item<float>();
            accuracy = logits.argmax(1).eq(y).to(float64).mean().item<double>();
            if (steps == 0) first = last;
            if (!double.IsFinite(last)) break;
            if (last < o.OverfitLossRatio * first && accuracy == 1) break;
            if (!l.requires_grad)
            {
                failure = "the loss does not depend on any trainable parameter (detached output)";
                break;
            }
            model.zero_grad(set_to_none: true);
            l.backward();
            optimizer.step();
        }
        model.zero_grad(set_to_none: true);
        bool passed = failure is null && double.IsFinite(last) && last < o.OverfitLossRatio * first && accuracy == 1;
        if (passed) yield break;
        yield return new Finding(Name, Severity.Error,
            string.Create(CultureInfo.InvariantCulture,
                $"the model cannot overfit one batch of {n} samples: after {steps} Adam steps (lr {Lr:G2}) the loss went from {first:F4} to {last:F4} (target below {o.OverfitLossRatio * first:F4}) and the batch accuracy is {accuracy * 100:F0}%") +
            (failure is null ? "." : $": {failure}.") + " A correct model and loss learn one batch by heart, so the bug is in the model or the loss, not in the data.",
            "Check that the loss gets raw logits and the right targets, that the output depends on the input (no detach, no constant output) and that nothing is frozen by mistake.");
    }
}
