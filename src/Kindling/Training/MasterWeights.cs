using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// Mixed precision without autocast (TorchSharp has none): the model is cast to a 16-bit type for
/// forward and backward, while fp32 copies of its parameters ("master weights") are what the
/// optimizer updates. Each step the 16-bit gradients are copied into the masters, the optimizer
/// steps in fp32, and the updated masters are cast back into the model - so small updates are not
/// lost to 16-bit rounding. Normalization layers stay in fp32, as under autocast (<see cref="Fp32Norms"/>).
/// </summary>
public sealed class MasterWeights : IDisposable
{
    readonly (string Name, Parameter Model, Parameter Master)[] pairs;
    readonly Fp32Norms norms;

    public MasterWeights(nn.Module model, ScalarType computeType)
    {
        ComputeType = computeType;
        using (no_grad())
        {
            var masters = model.named_parameters().Select(p => (p.name, p.parameter, new Parameter(p.parameter.detach().to(float32).clone(), p.parameter.requires_grad))).ToArray();
            // The normalization layers' exact fp32 state, so the round trip through 16 bits below loses nothing.
            var normState = model.named_modules().Where(m => Fp32Norms.IsNorm(m.module))
                .Select(m => (m.module, Saved: m.module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone()))).ToList();
            model.to(computeType);
            norms = new Fp32Norms(model, computeType);
            foreach (var (module, saved) in normState)
            {
                // The cast replaced the module's tensors: look them up again, once per module.
                var tensors = module.state_dict();
                foreach (var (key, value) in saved)
                {
                    tensors[key].copy_(value);
                    value.Dispose();
                }
            }
            // model.to() may replace parameter objects: pair masters with the model's current ones by name.
            var current = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            pairs = masters.Select(m => (m.name, current[m.name], m.Item3)).ToArray();
        }
    }

    public ScalarType ComputeType { get; }

    /// <summary>The fp32 parameters, by the model's names: build the optimizer on these.</summary>
    public IEnumerable<(string name, Parameter parameter)> Named => pairs.Select(p => (p.Name, p.Master));

    public IEnumerable<Parameter> Parameters => pairs.Select(p => p.Master);

    /// <summary>Moves the model's 16-bit gradients into the masters as fp32 and drops the model's.</summary>
    public void GradientsToMasters(IReadOnlySet<string>? names = null)
    {
        foreach (var (name, model, master) in pairs)
        {
            if (names is not null && !names.Contains(name)) continue;
            var g = model.grad;
            master.grad = g is null ? null : g.to(float32);
            model.grad = null;
            g?.Dispose();
        }
    }

    /// <summary>Casts the updated masters back into the model.</summary>
    public void MastersToModel(IReadOnlySet<string>? names = null)
    {
        using var _ = no_grad();
        foreach (var (name, model, master) in pairs)
            if (names is null || names.Contains(name)) model.copy_(master);
    }

    /// <summary>Drops the masters' gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, _, master) in pairs) master.grad = null;
    }

    /// <summary>Returns the model to fp32 with the master values (at the end of training).</summary>
    public void RestoreFp32(nn.Module model)
    {
        norms.Dispose();
        model.to(float32);
        using var _ = no_grad();
        var current = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, _, master) in pairs) current[name].copy_(master);
    }

    public void Dispose()
    {
        norms.Dispose();
        foreach (var (_, _, master) in pairs) master.Dispose();
    }
}
