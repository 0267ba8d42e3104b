using Kindling.Losses;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// The model's outputs are already probabilities (softmax) or log-probabilities (log_softmax) while the
/// loss is cross-entropy, which applies log-softmax itself: the double softmax squashes the gradients and
/// trains badly without any error (seed 002). Judged on the first batch's outputs.
/// </summary>
public sealed class DoubleSoftmaxCheck : IDoctorCheck
{
    /// <inheritdoc/>
    public string Name => "double-softmax";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        ProbabilityKind? kind;
        using (var scope = NewDisposeScope())
        using (no_grad())
            kind = ProbabilityInputGuard.Detect(context.Forward(context.FirstBatch.Images));
        if (kind is null) yield break;
        yield return new Finding(Name, Severity.Error,
            $"the model's outputs are {ProbabilityInputGuard.Describe(kind.Value)} and feed cross-entropy, which applies log-softmax itself: " +
            $"{(kind == ProbabilityKind.Probabilities ? "softmax" : "log_softmax")} is applied twice and the gradients are squashed.",
            "Remove the final softmax/log_softmax from the model and return raw logits; apply softmax only when predicting.");
    }
}
