using Kindling.Training;
using Kindling.Training.Callbacks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Compression.Pruning;

/// <summary>
/// Pruning masks on a model's parameters with PyTorch's semantics (weight = weight_orig * mask): a forward
/// pre-hook on each masked module multiplies the parameter by its mask before every forward, and, as a trainer
/// callback, the gradients are masked before clipping and the optimizer step (so pruned entries get no update and
/// do not count in the gradient norm) and the weights after it (so momentum or weight decay cannot revive them).
/// Pruned entries therefore stay exactly zero through fine-tuning. Unlike PyTorch, the weight itself holds the
/// masked values (no weight_orig / weight_mask in the state dict), so checkpoints load into the plain model;
/// <see cref="Remove"/> (<c>prune.remove</c>) drops the hooks and keeps the zeros.
/// Pass it to the <see cref="Trainer"/> as a callback while fine-tuning.
/// </summary>
public sealed class PrunedModel : ITrainerCallback, IDisposable
{
    readonly nn.Module model;
    readonly Dictionary<string, Tensor> masks = new();
    readonly Dictionary<string, Action> hooks = new();

    /// <param name="model">The model whose parameters will be masked.</param>
    public PrunedModel(nn.Module model) => this.model = model;

    /// <summary>The masks by parameter name (e.g. <c>features.block1.conv1.weight</c>): 1 keeps, 0 prunes.</summary>
    public IReadOnlyDictionary<string, Tensor> Masks => masks;

    /// <summary>The current mask of <paramref name="parameter"/>, or null when it is not pruned.</summary>
    public Tensor? MaskOf(string parameter) => masks.GetValueOrDefault(parameter);

    /// <summary>
    /// Prunes <paramref name="parameter"/> with <paramref name="mask"/> (combined with its current mask, as
    /// PyTorch's PruningContainer does) and zeroes the pruned entries now.
    /// </summary>
    /// <exception cref="ArgumentException">No such parameter, or the mask's shape differs from it.</exception>
    public void Apply(string parameter, Tensor mask)
    {
        var p = Parameter(parameter);
        if (!mask.shape.SequenceEqual(p.shape))
            throw new ArgumentException($"The mask for '{parameter}' has shape [{string.Join(", ", mask.shape)}]; the parameter has [{string.Join(", ", p.shape)}].");
        var combined = mask.detach().to(p.dtype, p.device).clone();
        if (masks.Remove(parameter, out var old))
        {
            combined.mul_(old);
            old.Dispose();
        }
        masks[parameter] = combined.DetachFromDisposeScope();
        using (no_grad()) p.mul_(combined);
        int dot = parameter.LastIndexOf('.');
        string modulePath = dot < 0 ? "" : parameter[..dot];
        if (!hooks.ContainsKey(modulePath)) hooks[modulePath] = Hook(modulePath);
    }

    /// <summary>Makes the pruning permanent (<c>prune.remove</c>): hooks and masks go, the zeros stay.</summary>
    public void Remove()
    {
        MaskWeights();
        foreach (var remove in hooks.Values) remove();
        hooks.Clear();
        foreach (var m in masks.Values) m.Dispose();
        masks.Clear();
    }

    /// <summary>Multiplies every masked parameter by its mask.</summary>
    public void MaskWeights()
    {
        using var _ = no_grad();
        foreach (var (name, mask) in masks) Parameter(name).mul_(mask);
    }

    /// <inheritdoc/>
    void ITrainerCallback.OnBeforeOptimizerStep(TrainerState state, int batch, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        using var _ = no_grad();
        foreach (var (name, p) in parameters)
            if (masks.TryGetValue(name, out var mask) && p.grad is Tensor grad)
                grad.mul_(mask.to(grad.dtype));
    }

    /// <inheritdoc/>
    void ITrainerCallback.OnBatchEnd(TrainerState state, BatchInfo batch)
    {
        if (batch.OptimizerStepped) MaskWeights();
    }

    Action Hook(string modulePath)
    {
        var module = modulePath.Length == 0 ? model : ModuleSurgery.Get(model, modulePath);
        if (module is not nn.Module<Tensor, Tensor> hookable)
            throw new ArgumentException($"'{modulePath}' ({module.GetType().Name}) takes other than one tensor; its parameters cannot be masked in the forward pass.");
        string prefix = modulePath.Length == 0 ? "" : modulePath + ".";
        var handle = hookable.register_forward_pre_hook((m, input) =>
        {
            using var _ = no_grad();
            foreach (var (name, p) in m.named_parameters(recurse: false))
                if (masks.TryGetValue(prefix + name, out var mask)) p.mul_(mask);
            return input;
        });
        return handle.remove;
    }

    Parameter Parameter(string name) =>
        model.named_parameters().FirstOrDefault(p => p.name == name).parameter
        ?? throw new ArgumentException($"The model has no parameter '{name}'.", nameof(name));

    /// <summary>Releases the hooks and masks (the weights keep their zeros).</summary>
    public void Dispose() => Remove();
}
