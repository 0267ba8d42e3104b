using TorchSharp;

namespace Kindling.Training.Tasks;

/// <summary>Several named modules as one (a ModuleDict): a task's network when it has more than one module.</summary>
public sealed class ModuleSet : torch.nn.Module
{
    /// <param name="modules">Registered as children under their names, in this order.</param>
    public ModuleSet(IEnumerable<(string Name, torch.nn.Module Module)> modules) : base(nameof(ModuleSet))
    {
        foreach (var (name, module) in modules)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Contains('.'))
                throw new ArgumentException($"a task's module name must be non-empty and without dots: '{name}'.");
            register_module(name, module);
        }
    }
}
