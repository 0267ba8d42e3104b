using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>
/// Captures named activations during forward passes, for inspection (feature maps, dead-ReLU checks,
/// feature distillation): <c>using var cap = new ActivationCapture(model, "layer4", "fc");
/// model.call(x); var f = cap["layer4"];</c>. Each capture is a detached copy of the module's output from
/// the latest pass (in-place ops later in the network cannot change it), owned by this object and freed
/// when it is cleared or disposed.
/// </summary>
public sealed class ActivationCapture : IDisposable
{
    readonly Dictionary<string, Tensor> captured = new();
    readonly IDisposable hooks;

    /// <param name="model">The model to watch.</param>
    /// <param name="names">Dotted submodule names (as in <c>named_modules()</c>) to capture; every leaf layer when empty.</param>
    /// <exception cref="ArgumentException">A name that is not a submodule of the model (the message lists some that are).</exception>
    public ActivationCapture(nn.Module model, params string[] names)
    {
        var known = model.named_modules().Select(nm => nm.name).ToHashSet();
        var missing = names.Where(n => !known.Contains(n)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"No submodule named {string.Join(", ", missing)}; the model has e.g. {string.Join(", ", known.Take(12))}.", nameof(names));
        var wanted = names.ToHashSet();
        hooks = ForwardHooks.Register(model, Store,
            (name, module) => wanted.Count == 0 ? ForwardHooks.IsLeaf(module) : wanted.Contains(name));
    }

    /// <summary>The latest activation of <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The module has not run since the capture started or was cleared.</exception>
    public Tensor this[string name] => captured.TryGetValue(name, out var t)
        ? t
        : throw new KeyNotFoundException($"No activation captured for '{name}': run a forward pass through the model (it must reach that module).");

    /// <summary>Names captured so far, in the order they first ran.</summary>
    public IReadOnlyCollection<string> Names => captured.Keys;

    /// <summary>Frees the captured activations; hooks stay registered.</summary>
    public void Clear()
    {
        foreach (var t in captured.Values) t.Dispose();
        captured.Clear();
    }

    /// <summary>Removes the hooks and frees the captures.</summary>
    public void Dispose()
    {
        hooks.Dispose();
        Clear();
    }

    void Store(string name, nn.Module module, Tensor input, Tensor output)
    {
        // Outlives the caller's dispose scope: this object owns it until Clear or Dispose.
        var copy = output.detach().clone().DetachFromDisposeScope();
        if (captured.TryGetValue(name, out var old)) old.Dispose();
        captured[name] = copy; // overwriting keeps the first-run order of Names
    }
}
