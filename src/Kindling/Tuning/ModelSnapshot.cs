using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tuning;

/// <summary>
/// A copy of a module's parameters, buffers (BatchNorm statistics), gradients and train/eval mode,
/// put back by <see cref="Restore"/>. TorchSharp modules cannot be deep-copied, so a tuner that trains
/// steps on the caller's model takes one of these first and restores it after.
/// </summary>
/// <remarks>
/// Values are restored by name, not into the tensors held at the snapshot: a training session casts the module for
/// mixed precision and back, and TorchSharp's <c>Module.to</c> replaces the parameter objects when it does.
/// </remarks>
internal sealed class ModelSnapshot : IDisposable
{
    readonly nn.Module model;
    readonly bool training;
    readonly Dictionary<string, Tensor> parameters = [], buffers = [], grads = [];

    ModelSnapshot(nn.Module model)
    {
        this.model = model;
        training = model.training;
        using var _ = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            parameters[name] = p.detach().clone().DetachFromDisposeScope();
            if (p.grad is { } g) grads[name] = g.detach().clone().DetachFromDisposeScope();
        }
        foreach (var (name, b) in model.named_buffers()) buffers[name] = b.detach().clone().DetachFromDisposeScope();
    }

    /// <summary>Copies the module's state now.</summary>
    public static ModelSnapshot Take(nn.Module model) => new(model);

    /// <summary>Puts the copied values, gradients and mode back.</summary>
    public void Restore()
    {
        var current = model.named_parameters().ToList();
        using (no_grad())
        {
            foreach (var (name, p) in current) p.copy_(parameters[name]);
            foreach (var (name, b) in model.named_buffers()) b.copy_(buffers[name]);
        }
        model.zero_grad(set_to_none: true);
        foreach (var (name, p) in current)
            if (grads.TryGetValue(name, out var g)) p.grad = g.to(p.dtype, p.device, copy: true);
        model.train(training);
    }

    public void Dispose()
    {
        foreach (var t in parameters.Values.Concat(buffers.Values).Concat(grads.Values)) t.Dispose();
    }
}
