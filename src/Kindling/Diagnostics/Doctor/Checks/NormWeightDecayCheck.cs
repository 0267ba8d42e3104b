using System.Globalization;
using Kindling.Optim;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// Weight decay on normalization layers' scale and shift: it pulls BatchNorm/GroupNorm/LayerNorm weights
/// towards zero, which fights the normalization and hurts accuracy. Read from the optimizer's own parameter
/// groups (<see cref="OptimizerFactory.Groups"/>), so it reports what training will really do.
/// </summary>
public sealed class NormWeightDecayCheck : IDoctorCheck
{
    /// <inheritdoc/>
    public string Name => "norm-weight-decay";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        var o = context.Subject.Trainer.Optimizer;
        if (o.WeightDecay <= 0) yield break;
        var normNames = new HashSet<string>();
        foreach (var (name, module) in context.Model.named_modules())
            if (IsNorm(module))
                foreach (var (p, _) in module.named_parameters(recurse: false))
                    normNames.Add(name.Length == 0 ? p : $"{name}.{p}");
        if (normNames.Count == 0) yield break;
        var named = context.Model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        var groups = OptimizerFactory.Groups(named, o, o.Lr);
        var decayed = new List<string>();
        foreach (var g in groups.Where(g => g.WeightDecay > 0))
            decayed.AddRange(named.Where(n => g.Parameters.Any(p => ReferenceEquals(p, n.parameter)) && normNames.Contains(n.name)).Select(n => n.name));
        if (decayed.Count > 0)
            yield return new Finding(Name, Severity.Warning,
                string.Create(CultureInfo.InvariantCulture, $"weight decay {o.WeightDecay:G3} applies to {decayed.Count} normalization parameters ({string.Join(", ", decayed.Take(4))}{(decayed.Count > 4 ? ", ..." : "")}): it shrinks their scale towards zero against what normalization is for."),
                "Leave normalization parameters and biases undecayed: remove optimizer.decay_norm_and_bias (Kindling's default groups exempt parameters with one dimension).");
    }

    static bool IsNorm(TorchSharp.torch.nn.Module m) => m is TorchSharp.Modules.BatchNorm1d or TorchSharp.Modules.BatchNorm2d or TorchSharp.Modules.BatchNorm3d
        or TorchSharp.Modules.GroupNorm or TorchSharp.Modules.LayerNorm or TorchSharp.Modules.InstanceNorm1d or TorchSharp.Modules.InstanceNorm2d or TorchSharp.Modules.InstanceNorm3d;
}
