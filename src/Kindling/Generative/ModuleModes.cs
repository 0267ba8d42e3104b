using TorchSharp;

namespace Kindling.Generative;

/// <summary>Puts modules in eval mode for sampling and gives each back the mode it had (IImageGenerator's contract).</summary>
public sealed class ModuleModes : IDisposable
{
    readonly List<(torch.nn.Module Module, bool Training)> modes;

    /// <summary>Records every module's mode (with its submodules) and switches them all to eval.</summary>
    public ModuleModes(IEnumerable<torch.nn.Module> modules)
    {
        modes = modules.SelectMany(m => m.modules().Prepend(m)).Distinct().Select(m => (m, m.training)).ToList();
        foreach (var (module, _) in modes) module.eval();
    }

    /// <summary>Restores the recorded modes.</summary>
    public void Dispose()
    {
        foreach (var (module, training) in modes) module.train(training);
    }
}
