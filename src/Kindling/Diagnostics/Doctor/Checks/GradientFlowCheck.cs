using System.Globalization;
using Kindling.Diagnostics.Gradients;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// One forward and backward pass on the first batch, then every parameter's gradient (seed 004, 8.1
/// "check gradients"): a loss that does not reach the parameters (detached output), NaN/Inf in the loss
/// (naming the first layer in forward order whose output is not finite) or in gradients, parameters that
/// get no gradient (unused or frozen layers) or an all-zero one.
/// </summary>
public sealed class GradientFlowCheck : IDoctorCheck
{
    /// <inheritdoc/>
    public string Name => "gradient-flow";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        var findings = new List<Finding>();
        var model = context.Model;
        var frozen = model.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name).ToList();
        if (frozen.Count > 0)
            findings.Add(new Finding(Name, Severity.Warning,
                $"{frozen.Count} parameters are frozen (requires_grad = false) and will not train: {List(frozen)}.",
                "If that is not intended (fine-tuning a frozen backbone), set requires_grad = true on them."));

        // Not the engine's training step, on purpose: this check reads the loss before backward (to name the first
        // non-finite layer, to tell a detached output) and the raw gradients of one backward. A training step would
        // unscale, clip, step and then free those gradients, and under fp16 its first steps overflow by design (the
        // loss scaler skips them), which would read as a fault here. The overfit and learning-rate checks train
        // through the engine.
        using var scope = NewDisposeScope();
        using var watch = new NonFiniteForwardWatch(model);
        var (x, y) = context.FirstBatch;
        model.zero_grad(set_to_none: true);
        var loss = context.Loss.Forward(context.Forward(x), y);
        double value = loss.item<float>();
        if (!double.IsFinite(value))
        {
            findings.Add(new Finding(Name, Severity.Error,
                string.Create(CultureInfo.InvariantCulture, $"the loss on the first batch is {value}") +
                (watch.First is { } layer ? $"; the first layer (in forward order) whose output is not finite is {layer}." : "; every layer's output is finite, so the loss itself produced it."),
                "Look at that layer's operation (log or sqrt of values <= 0, division by zero, overflow) and at the inputs for NaN; kindling train --detect-anomaly names the op."));
            return findings;
        }
        if (!loss.requires_grad)
        {
            findings.Add(new Finding(Name, Severity.Error,
                "the loss does not depend on any trainable parameter: backward has nothing to compute (the model's output is detached, computed under no_grad, or every parameter is frozen).",
                "Remove detach()/no_grad from the model's forward and make sure its layers are registered (fields or register_module) and trainable."));
            return findings;
        }
        loss.backward();

        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        var none = trainable.Where(p => p.parameter.grad is null).Select(p => p.name).ToList();
        var withGrad = trainable.Where(p => p.parameter.grad is not null).ToList();
        if (none.Count > 0)
            findings.Add(new Finding(Name, Severity.Warning,
                $"{none.Count} trainable parameters never receive a gradient (their layers are not used in forward, or only through detach): {List(none)}.",
                "Remove the unused layers, or fix the forward so their output reaches the loss."));
        if (withGrad.Count == 0) return findings;
        var stats = stack(withGrad.Select(p => stack([p.parameter.grad!.detach().isfinite().all().to(float32), p.parameter.grad!.detach().abs().max().to(float32)])).ToArray()).cpu();
        var finite = stats[.., 0].data<float>().ToArray();
        var maxAbs = stats[.., 1].data<float>().ToArray();
        var nonFinite = Enumerable.Range(0, withGrad.Count).Where(i => finite[i] == 0).Select(i => withGrad[i].name).ToList();
        if (nonFinite.Count > 0)
            // A finite loss with non-finite gradients: the backward of some op overflowed. Gradients flow from
            // the loss backwards, so the culprit is the last parameter in forward order that has them.
            findings.Add(new Finding(Name, Severity.Error,
                $"the loss is finite but {nonFinite.Count} parameters get NaN/Inf gradients; the first in backward order is {nonFinite[^1]} ({List(nonFinite)}).",
                "An op's backward overflows there (sqrt or pow at 0, log near 0, a large exponent): add an epsilon or clamp; kindling train --detect-anomaly names the op."));
        var zero = Enumerable.Range(0, withGrad.Count).Where(i => finite[i] == 1 && maxAbs[i] == 0).Select(i => withGrad[i].name).ToList();
        if (zero.Count > 0)
            findings.Add(new Finding(Name, Severity.Warning,
                $"{zero.Count} parameters get an all-zero gradient on the first batch: {List(zero)}. Nothing upstream of them passes a signal (dead activations, a zero multiplier).",
                "Check the activations feeding them (the dead-relu check) and their initialisation."));
        model.zero_grad(set_to_none: true);
        return findings;
    }

    static string List(IReadOnlyList<string> names) => string.Join(", ", names.Take(5)) + (names.Count > 5 ? $", ... ({names.Count - 5} more)" : "");
}
