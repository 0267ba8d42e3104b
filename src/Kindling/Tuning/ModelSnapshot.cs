using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tuning;

/// <summary>
/// A copy of a module's parameters, buffers (BatchNorm statistics), gradients and train/eval mode,
/// put back by <see cref="Restore"/>. TorchSharp modules cannot be deep-copied, so a tuner that trains
/// steps on the caller's model takes one of these first and restores it after.
/// </summary>
internal sealed class ModelSnapshot : IDisposable
{
    readonly nn.Module model;
    readonly bool training;
    readonly List<(Tensor Target, Tensor Copy)> values = [];
    readonly List<(TorchSharp.Modules.Parameter Parameter, Tensor? Grad)> grads = [];

    ModelSnapshot(nn.Module model)
    {
        this.model = model;
        training = model.training;
        using var _ = no_grad();
        foreach (var (_, p) in model.named_parameters())
        {
            values.Add((p, p.detach().clone().DetachFromDisposeScope()));
            grads.Add((p, p.grad is { } g ? g.detach().clone().DetachFromDisposeScope() : null));
        }
        foreach (var (_, b) in model.named_buffers()) values.Add((b, b.detach().clone().DetachFromDisposeScope()));
    }

    /// <summary>Copies the module's state now.</summary>
    public static ModelSnapshot Take(nn.Module model) => new(model);

    /// <summary>Puts the copied values, gradients and mode back.</summary>
    public void Restore()
    {
        using (no_grad())
            foreach (var (target, copy) in values) target.copy_(copy);
        model.zero_grad(set_to_none: true);
        foreach (var (p, g) in grads)
            if (g is not null) p.grad = g.clone();
        model.train(training);
    }

    public void Dispose()
    {
        foreach (var (_, copy) in values) copy.Dispose();
        foreach (var (_, g) in grads) g?.Dispose();
    }
}
