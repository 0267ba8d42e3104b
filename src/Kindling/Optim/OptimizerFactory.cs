using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Optim;

/// <summary>
/// Builds TorchSharp's optimizers from <see cref="OptimizerOptions"/> with parameter groups: no
/// weight decay on biases and normalization parameters (unless asked), per-name learning-rate
/// multipliers, the linear batch-size scaling rule, and Lookahead when asked.
/// </summary>
public static class OptimizerFactory
{
    /// <summary>The optimizer names <see cref="Create"/> knows.</summary>
    public static readonly IReadOnlyList<string> Names = new[] { "sgd", "adam", "adamw", "adagrad", "radam", "nadam", "rmsprop" };

    /// <param name="model">Its trainable parameters (requires_grad) are optimized.</param>
    /// <param name="o">The optimizer and its arguments.</param>
    /// <param name="effectiveBatchSize">Batch size x accumulation steps, for the linear scaling rule.</param>
    public static optim.Optimizer Create(nn.Module model, OptimizerOptions o, int effectiveBatchSize = 0)
    {
        var groups = Groups(model.named_parameters().Where(p => p.parameter.requires_grad), o, ScaledLr(o, effectiveBatchSize));
        if (groups.Count == 0) throw new ArgumentException("the model has no trainable parameters (all have requires_grad = false).");
        var name = o.Name.Trim().ToLowerInvariant();
        optim.Optimizer optimizer = name switch
        {
            "sgd" => optim.SGD(groups.Select(g => new SGD.ParamGroup(g.Parameters, g.Lr, o.Momentum, o.Dampening, g.WeightDecay, o.Nesterov)), groups[0].Lr, o.Momentum, o.Dampening, groups[0].WeightDecay, o.Nesterov),
            "adam" or "adamw" => new Adam(groups.Select(g => new TorchSharp.Modules.AdamW.ParamGroup(g.Parameters, g.Lr, o.Beta1, o.Beta2, o.Eps ?? 1e-8, g.WeightDecay, o.Amsgrad)),
                groups[0].Lr, o.Beta1, o.Beta2, o.Eps ?? 1e-8, groups[0].WeightDecay, o.Amsgrad, decoupled_weight_decay: name == "adamw"),
            "adagrad" => optim.Adagrad(groups.Select(g => new Adagrad.ParamGroup(g.Parameters, g.Lr, o.LrDecay, g.WeightDecay, o.InitialAccumulatorValue, o.Eps ?? 1e-10)),
                groups[0].Lr, o.LrDecay, groups[0].WeightDecay, o.InitialAccumulatorValue, o.Eps ?? 1e-10),
            // Kindling's Adam/AdamW (see Adam.cs, AdamUpdate.cs) and RAdam (see RAdam.cs) replace TorchSharp's steps.
            "radam" => new RAdam(groups.Select(g => new TorchSharp.Modules.RAdam.ParamGroup(g.Parameters, g.Lr, o.Beta1, o.Beta2, o.Eps ?? 1e-8, g.WeightDecay)), groups[0].Lr, o.Beta1, o.Beta2, o.Eps ?? 1e-8, groups[0].WeightDecay),
            "nadam" => optim.NAdam(groups.Select(g => new NAdam.ParamGroup(g.Parameters, g.Lr, o.Beta1, o.Beta2, o.Eps ?? 1e-8, g.WeightDecay, o.MomentumDecay)), groups[0].Lr, o.Beta1, o.Beta2, o.Eps ?? 1e-8, groups[0].WeightDecay, o.MomentumDecay),
            "rmsprop" => optim.RMSProp(groups.Select(g => new RMSProp.ParamGroup(g.Parameters, g.Lr, o.Eps ?? 1e-8, o.Alpha, g.WeightDecay, o.Momentum, o.Centered)), groups[0].Lr, o.Alpha, o.Eps ?? 1e-8, groups[0].WeightDecay, o.Momentum, o.Centered),
            _ => throw new ArgumentException($"optimizer '{o.Name}' is not known: expected one of {string.Join(", ", Names)}."),
        };
        return o.Lookahead is { } la ? new Lookahead(optimizer, la.K, la.Alpha) : optimizer;
    }

    /// <summary>The learning rate after the linear scaling rule (lr x effective batch / base batch), or lr.</summary>
    public static double ScaledLr(OptimizerOptions o, int effectiveBatchSize)
    {
        if (o.Lr <= 0) throw new ArgumentOutOfRangeException(nameof(o), o.Lr, "lr must be > 0.");
        if (o.BaseBatchSize is not int b) return o.Lr;
        if (b <= 0) throw new ArgumentOutOfRangeException(nameof(o), b, "base batch size must be > 0.");
        if (effectiveBatchSize <= 0) throw new ArgumentException("the linear scaling rule needs the effective batch size (batch x accumulation steps).");
        return o.Lr * effectiveBatchSize / b;
    }

    /// <summary>One parameter group: its parameters, LR and weight decay.</summary>
    public sealed record Group(string Name, List<Parameter> Parameters, double Lr, double WeightDecay);

    /// <summary>
    /// Splits parameters by LR multiplier (longest matching name prefix) and by decay: parameters with
    /// at most one dimension (biases, BatchNorm/GroupNorm/LayerNorm weights) get no weight decay
    /// unless <see cref="OptimizerOptions.DecayNormAndBias"/>. Empty groups are dropped; order is stable.
    /// </summary>
    public static List<Group> Groups(IEnumerable<(string name, Parameter parameter)> parameters, OptimizerOptions o, double lr)
    {
        var multipliers = o.LrMultipliers ?? new Dictionary<string, double>();
        var groups = new Dictionary<(double, bool), Group>();
        var order = new List<(double, bool)>();
        foreach (var (name, p) in parameters)
        {
            var match = multipliers.Keys.Where(k => name.StartsWith(k, StringComparison.Ordinal)).OrderByDescending(k => k.Length).FirstOrDefault();
            double m = match is null ? 1.0 : multipliers[match];
            bool decay = o.DecayNormAndBias || p.dim() > 1;
            var key = (m, decay);
            if (!groups.TryGetValue(key, out var g))
            {
                g = new Group($"lr x{m}{(decay ? "" : ", no decay")}", new List<Parameter>(), lr * m, decay ? o.WeightDecay : 0);
                groups[key] = g;
                order.Add(key);
            }
            g.Parameters.Add(p);
        }
        return order.Select(k => groups[k]).ToList();
    }
}
