using Kindling.Config.Yaml;
using Kindling.Optim;

namespace Kindling.Config.Sections;

/// <summary>The <c>optimizer</c> section: the optimizer's name and PyTorch's argument names.</summary>
public sealed record OptimizerRecipe
{
    /// <summary>A name from <see cref="OptimizerFactory.Names"/>.</summary>
    public string Name { get; init; } = "adamw";

    /// <summary>Learning rate (the peak of one_cycle_lr unless the schedule names max_lr); <c>auto</c>: the LR range test picks it before training.</summary>
    [AutoValue(nameof(LrIsAuto))]
    public double Lr { get; init; } = 1e-3;

    /// <summary>The recipe says <c>lr: auto</c> and no number has been chosen yet (<see cref="Tools.RecipeTuning.Resolve"/> chooses it).</summary>
    public bool LrIsAuto { get; internal init; }

    /// <summary>SGD/RMSprop momentum.</summary>
    public double Momentum { get; init; }

    /// <summary>SGD dampening.</summary>
    public double Dampening { get; init; }

    /// <summary>SGD Nesterov momentum.</summary>
    public bool Nesterov { get; init; }

    /// <summary>Adam-family betas [beta1, beta2].</summary>
    public IReadOnlyList<double> Betas { get; init; } = [0.9, 0.999];

    /// <summary>Denominator term; null: the optimizer's default.</summary>
    public double? Eps { get; init; }

    /// <summary>Weight decay (decoupled for AdamW).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Adam/AdamW AMSGrad.</summary>
    public bool Amsgrad { get; init; }

    /// <summary>Adagrad lr_decay.</summary>
    public double LrDecay { get; init; }

    /// <summary>Adagrad initial_accumulator_value (the starting sum of squared gradients).</summary>
    public double InitialAccumulatorValue { get; init; }

    /// <summary>RMSprop smoothing constant.</summary>
    public double Alpha { get; init; } = 0.99;

    /// <summary>RMSprop centered.</summary>
    public bool Centered { get; init; }

    /// <summary>NAdam momentum_decay.</summary>
    public double MomentumDecay { get; init; } = 4e-3;

    /// <summary>Decay biases and normalization weights too (off: the usual no-decay group).</summary>
    public bool DecayNormAndBias { get; init; }

    /// <summary>Lookahead around the optimizer; null: none.</summary>
    public LookaheadOptions? Lookahead { get; init; }

    /// <summary>Linear scaling rule: lr is for this batch size and scales with batch x accumulation; null: lr as given.</summary>
    public int? BaseBatchSize { get; init; }

    /// <summary>The library's options.</summary>
    public OptimizerOptions ToOptions() => new()
    {
        Name = Name.Trim().ToLowerInvariant(),
        Lr = Lr,
        Momentum = Momentum,
        Dampening = Dampening,
        Nesterov = Nesterov,
        Beta1 = Betas.Count > 0 ? Betas[0] : 0.9,
        Beta2 = Betas.Count > 1 ? Betas[1] : 0.999,
        Eps = Eps,
        WeightDecay = WeightDecay,
        Amsgrad = Amsgrad,
        LrDecay = LrDecay,
        InitialAccumulatorValue = InitialAccumulatorValue,
        Alpha = Alpha,
        Centered = Centered,
        MomentumDecay = MomentumDecay,
        DecayNormAndBias = DecayNormAndBias,
        Lookahead = Lookahead,
        BaseBatchSize = BaseBatchSize,
    };

    internal void Validate(RecipeErrors e, string path)
    {
        e.OneOf(path + ".name", Name, OptimizerFactory.Names, "optimizer");
        e.Check(Lr > 0 && double.IsFinite(Lr), path + ".lr", Lr, "a value > 0");
        e.Check(Momentum is >= 0 and < 1, path + ".momentum", Momentum, "a value in [0, 1)");
        e.Check(Dampening is >= 0 and <= 1, path + ".dampening", Dampening, "a value in [0, 1]");
        if (Nesterov && (Momentum <= 0 || Dampening != 0)) e.Add(path + ".nesterov", "Nesterov momentum requires a momentum > 0 and zero dampening (as in PyTorch).");
        if (Betas.Count != 2) e.Add(path + ".betas", $"{RecipeErrors.Show(Betas)} has {Betas.Count} values; expected two: [beta1, beta2].");
        else foreach (var b in Betas) e.Check(b is >= 0 and < 1, path + ".betas", b, "values in [0, 1)");
        e.Check(Eps is null or > 0, path + ".eps", Eps, "a value > 0 or null");
        e.Check(WeightDecay >= 0, path + ".weight_decay", WeightDecay, ">= 0");
        e.Check(LrDecay >= 0, path + ".lr_decay", LrDecay, ">= 0");
        e.Check(InitialAccumulatorValue >= 0 && double.IsFinite(InitialAccumulatorValue), path + ".initial_accumulator_value", InitialAccumulatorValue, ">= 0");
        e.Check(Alpha is >= 0 and < 1, path + ".alpha", Alpha, "a value in [0, 1)");
        e.Check(MomentumDecay >= 0, path + ".momentum_decay", MomentumDecay, ">= 0");
        e.Check(BaseBatchSize is null or >= 1, path + ".base_batch_size", BaseBatchSize, ">= 1 or null");
        if (Lookahead is { } lookahead) LookaheadValidation.Validate(lookahead, e, path + ".lookahead");
    }
}
