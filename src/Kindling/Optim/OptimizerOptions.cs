namespace Kindling.Optim;

/// <summary>
/// An optimizer as a recipe names it, with PyTorch's arguments (recipes spell them as PyTorch does:
/// lr, momentum, dampening, nesterov, betas, eps, weight_decay, amsgrad, lr_decay, initial_accumulator_value,
/// alpha, centered, momentum_decay). Values an optimizer does not use are ignored by it.
/// </summary>
public sealed record OptimizerOptions
{
    /// <summary>sgd, adam, adamw, adagrad, radam, nadam or rmsprop.</summary>
    public string Name { get; init; } = "adamw";

    public double Lr { get; init; } = 1e-3;
    public double Momentum { get; init; }
    public double Dampening { get; init; }
    public bool Nesterov { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Term added for numerical stability; null uses the optimizer's PyTorch default (1e-10 for Adagrad, 1e-8 otherwise).</summary>
    public double? Eps { get; init; }

    public double WeightDecay { get; init; }
    public bool Amsgrad { get; init; }

    /// <summary>Adagrad's learning-rate decay.</summary>
    public double LrDecay { get; init; }

    /// <summary>Adagrad's initial_accumulator_value: the starting sum of squared gradients (0 as PyTorch; larger damps the first steps).</summary>
    public double InitialAccumulatorValue { get; init; }

    /// <summary>RMSprop's smoothing constant.</summary>
    public double Alpha { get; init; } = 0.99;

    /// <summary>RMSprop: normalise by the centred second moment.</summary>
    public bool Centered { get; init; }

    /// <summary>NAdam's momentum decay.</summary>
    public double MomentumDecay { get; init; } = 4e-3;

    /// <summary>
    /// Apply weight decay to biases and normalization parameters too (every parameter with at most one
    /// dimension). Off by default: decaying them only pulls BatchNorm scales toward zero.
    /// </summary>
    public bool DecayNormAndBias { get; init; }

    /// <summary>Per-group learning rates: a parameter whose name starts with a key gets lr x value (longest key wins).</summary>
    public IReadOnlyDictionary<string, double>? LrMultipliers { get; init; }

    /// <summary>Wrap the optimizer in Lookahead (k steps, alpha).</summary>
    public LookaheadOptions? Lookahead { get; init; }

    /// <summary>Linear scaling rule: when set, lr is multiplied by effective batch size / this.</summary>
    public int? BaseBatchSize { get; init; }
}
