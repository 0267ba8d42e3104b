using System.Globalization;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// The loss of the untrained model on the first batch against ln(classes), the loss of a uniform guess
/// (label smoothing leaves it unchanged). Far above: the last layer's initialisation is too large (confident
/// wrong outputs, exploding first steps); far below: the labels leak into the inputs or the model is not fresh.
/// </summary>
public sealed class InitialLossCheck : IDoctorCheck
{
    /// <inheritdoc/>
    public string Name => "initial-loss";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        int classes = context.NumClasses;
        if (classes < 2) yield break;
        double loss;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var (x, y) = context.FirstBatch;
            loss = context.Loss.Forward(context.Forward(x), y).item<float>();
        }
        double expected = Math.Log(classes), factor = context.Options.InitialLossFactor;
        if (!double.IsFinite(loss)) yield break; // the gradient-flow check names the layer
        if (loss > expected * factor)
            yield return new Finding(Name, Severity.Warning,
                string.Create(CultureInfo.InvariantCulture, $"the loss at initialisation is {loss:F3}, {loss / expected:F1}x ln({classes}) = {expected:F3}, the loss of a uniform guess: the untrained model is confidently wrong."),
                "Initialise the last layer smaller (PyTorch's default, or zero), check for a scaling of the logits, and that the inputs are normalized.");
        else if (loss < expected / factor)
            yield return new Finding(Name, Severity.Warning,
                string.Create(CultureInfo.InvariantCulture, $"the loss at initialisation is {loss:F3}, far below ln({classes}) = {expected:F3}: an untrained model should not beat a uniform guess."),
                "Check that the model is freshly initialised and that the labels are not visible in the inputs.");
    }
}
