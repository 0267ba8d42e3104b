using System.Globalization;
using Kindling.Models;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// ReLU units that output zero for every sample of the first batch (a channel of a conv layer, a feature of
/// a linear one): they pass no gradient, so they may never recover. Many of them at initialisation point to
/// a large negative bias, a bad initialisation or unnormalized inputs. Hooks every ReLU and ReLU6 module.
/// </summary>
public sealed class DeadReluCheck : IDoctorCheck
{
    /// <inheritdoc/>
    public string Name => "dead-relu";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        var dead = new List<(string Layer, double Fraction, long Units)>();
        using (var scope = NewDisposeScope())
        using (no_grad())
        using (ForwardHooks.Register(context.Model, (name, _, _, output) =>
               {
                   if (output.dim() < 2) return;
                   // Units are channels (dim 1); a unit is dead when it is <= 0 at every sample and position.
                   var perUnit = output.detach().transpose(0, 1).reshape(output.shape[1], -1).amax([1]);
                   dead.Add((name, perUnit.le(0).to(float64).mean().item<double>(), output.shape[1]));
               }, (_, m) => m is TorchSharp.Modules.ReLU or TorchSharp.Modules.ReLU6))
            context.Forward(context.FirstBatch.Images);
        var bad = dead.Where(d => d.Fraction > context.Options.DeadReluFraction).ToList();
        if (bad.Count == 0) yield break;
        yield return new Finding(Name, Severity.Warning,
            string.Create(CultureInfo.InvariantCulture, $"{bad.Count} of {dead.Count} ReLU layers have more than {context.Options.DeadReluFraction * 100:F0}% of their units dead (zero for the whole first batch): ") +
            string.Join(", ", bad.Take(5).Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Layer} {d.Fraction * 100:F0}% of {d.Units}")) ) +
            (bad.Count > 5 ? ", ..." : "") + ". Dead units pass no gradient.",
            "Check the biases and initialisation before those layers (Kaiming init, bias 0), normalize the inputs, lower the learning rate, or use LeakyReLU/GELU.");
    }
}
