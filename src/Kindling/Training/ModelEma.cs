using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// Exponential moving average of a model's weights (Polyak averaging, as timm's ModelEma):
/// ema = decay_t * ema + (1 - decay_t) * weights after every optimizer step, with the decay warmed
/// up as decay_t = min(decay, (1 + t) / (10 + t)) so early, poor weights fade quickly. Buffers
/// (BatchNorm running statistics, counters) are copied, not averaged. Evaluate it with
/// <see cref="Swap"/>, which puts the averaged weights into the model until disposed.
/// </summary>
public sealed class ModelEma : IDisposable
{
    readonly (string Name, Tensor Ema)[] parameters;
    readonly (string Name, Tensor Copy)[] buffers;

    public ModelEma(nn.Module model, double decay = 0.999, bool warmup = true)
    {
        if (decay is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "decay must be in [0, 1).");
        Decay = decay;
        Warmup = warmup;
        using var _ = no_grad();
        parameters = model.named_parameters().Select(p => (p.name, p.parameter.detach().clone())).ToArray();
        buffers = model.named_buffers().Select(b => (b.name, b.buffer.detach().clone())).ToArray();
    }

    public double Decay { get; }
    public bool Warmup { get; }

    /// <summary>Updates applied so far.</summary>
    public long Updates { get; private set; }

    /// <summary>The decay the next update will use.</summary>
    public double CurrentDecay => Warmup ? Math.Min(Decay, (1.0 + Updates) / (10.0 + Updates)) : Decay;

    /// <summary>Folds the model's current weights into the average and copies its buffers.</summary>
    public void Update(nn.Module model)
    {
        double d = CurrentDecay;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var current = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, ema) in parameters)
            ema.lerp_(current[name].detach().to(ema.dtype), 1 - d);
        var currentBuffers = model.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach (var (name, copy) in buffers)
            copy.copy_(currentBuffers[name]);
        Updates++;
    }

    /// <summary>Puts the averaged weights into <paramref name="model"/>; disposing the result restores the model's own.</summary>
    public IDisposable Swap(nn.Module model) => new Swapped(model, this);

    /// <summary>The averaged parameters and copied buffers by name (for checkpoints).</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict() =>
        parameters.Concat(buffers).ToDictionary(p => p.Item1, p => p.Item2);

    /// <summary>Restores <see cref="StateDict"/> values and the update count.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, long updates)
    {
        using var _ = no_grad();
        foreach (var (name, t) in parameters.Concat(buffers))
        {
            if (!state.TryGetValue(name, out var saved)) throw new InvalidDataException($"the EMA state has no entry '{name}': it was saved for a different model.");
            t.copy_(saved);
        }
        Updates = updates;
    }

    public void Dispose()
    {
        foreach (var (_, t) in parameters) t.Dispose();
        foreach (var (_, t) in buffers) t.Dispose();
    }

    sealed class Swapped : IDisposable
    {
        readonly nn.Module model;
        readonly Dictionary<string, Tensor> saved = new();

        public Swapped(nn.Module model, ModelEma ema)
        {
            this.model = model;
            using var _ = no_grad();
            using var scope = NewDisposeScope(); // the detached views are temporaries; the saved copies leave it
            var current = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
            foreach (var (k, v) in model.named_buffers()) current[k] = v;
            foreach (var (name, value) in ema.parameters.Concat(ema.buffers))
            {
                saved[name] = current[name].detach().clone().DetachFromDisposeScope();
                current[name].copy_(value);
            }
        }

        public void Dispose()
        {
            using var _ = no_grad();
            var current = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
            foreach (var (k, v) in model.named_buffers()) current[k] = v;
            foreach (var (name, value) in saved)
            {
                current[name].copy_(value);
                value.Dispose();
            }
        }
    }
}
