using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor;

/// <summary>
/// A copy of a model's parameters and buffers, its train/eval mode and libtorch's generator, to put
/// back after a check trained or ran the model (BatchNorm's running statistics move on every forward).
/// </summary>
sealed class ModelSnapshot : IDisposable
{
    readonly nn.Module model;
    readonly Dictionary<string, Tensor> state;
    readonly bool training;
    readonly Tensor rng;

    public ModelSnapshot(nn.Module model)
    {
        this.model = model;
        training = model.training;
        using (no_grad())
            state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
        rng = get_rng_state().DetachFromDisposeScope();
    }

    public void Restore()
    {
        using (no_grad())
            foreach (var (name, tensor) in model.state_dict())
                if (state.TryGetValue(name, out var copy)) tensor.copy_(copy);
        model.zero_grad(set_to_none: true);
        model.train(training);
        set_rng_state(rng);
    }

    public void Dispose()
    {
        foreach (var t in state.Values) t.Dispose();
        rng.Dispose();
    }
}
