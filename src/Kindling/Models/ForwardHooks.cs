using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>
/// Forward hooks on a model's named submodules (TorchSharp's <c>register_forward_hook</c>), keyed by the
/// dotted names of <c>named_modules()</c>. Hooks fire when a module runs through <c>call</c>, as
/// Sequential and all Kindling models do; a module invoked through <c>forward</c> directly is not seen.
/// </summary>
public static class ForwardHooks
{
    /// <summary>
    /// Calls <paramref name="onForward"/>(name, module, input, output) after every selected submodule's
    /// forward. Only single-tensor modules can be hooked; others are skipped. Dispose the result to remove
    /// the hooks.
    /// </summary>
    /// <param name="model">The model whose submodules to watch (not the model itself).</param>
    /// <param name="onForward">Receives the module's name, the module, its input and its output.</param>
    /// <param name="select">Which (name, module) pairs to hook; all by default.</param>
    public static IDisposable Register(nn.Module model, Action<string, nn.Module, Tensor, Tensor> onForward,
        Func<string, nn.Module, bool>? select = null)
    {
        var removers = new List<Action>();
        foreach (var (name, module) in model.named_modules())
        {
            if (module is not nn.Module<Tensor, Tensor> hookable || (select is not null && !select(name, module))) continue;
            var handle = hookable.register_forward_hook((m, input, output) =>
            {
                onForward(name, m, input, output);
                return null!; // null keeps the module's own output
            });
            removers.Add(handle.remove);
        }
        return new HookRegistration(removers);
    }

    /// <summary>True for modules without submodules: the layers that actually compute.</summary>
    public static bool IsLeaf(nn.Module module) => !module.children().Any();
}
