using Kindling.Models;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Gradients;

/// <summary>
/// Names the first module, in forward order, whose output holds NaN or Inf. Forward order is the one that
/// finds the cause: once a layer produces NaN, every later layer, the loss and then every gradient are NaN
/// too, so only the first in the forward pass is where it appeared. Hooks every submodule (children fire
/// before their parent, so a NaN made by a parent's own code between its children is blamed on the parent).
/// Each hooked output costs one reduction and, until one is found, one read of its result (a device sync on GPU).
/// </summary>
public sealed class NonFiniteForwardWatch : IDisposable
{
    readonly IDisposable hooks;

    /// <param name="model">The model whose submodules to watch.</param>
    public NonFiniteForwardWatch(nn.Module model) =>
        hooks = ForwardHooks.Register(model, (name, module, _, output) =>
        {
            if (First is not null || !output.is_floating_point()) return;
            using var scope = NewDisposeScope();
            if (!output.detach().isfinite().all().item<bool>()) First = $"{name} ({module.GetType().Name})";
        });

    /// <summary>The first module with a non-finite output since the last <see cref="Reset"/>, as "name (Type)"; null when none.</summary>
    public string? First { get; private set; }

    /// <summary>Forgets the last finding, before the next forward pass.</summary>
    public void Reset() => First = null;

    /// <inheritdoc/>
    public void Dispose() => hooks.Dispose();
}
