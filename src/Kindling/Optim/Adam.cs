using static TorchSharp.torch;

namespace Kindling.Optim;

/// <summary>
/// Adam and AdamW in one class, as PyTorch 2's <c>Adam(decoupled_weight_decay=...)</c>: with
/// <c>decoupled_weight_decay</c> the weights decay directly (AdamW), otherwise the decay is an L2
/// term in the gradient (Adam). It keeps TorchSharp's AdamW state and groups and steps through
/// <see cref="AdamUpdate"/>, so no native memory waits for the finalizer.
/// </summary>
public sealed class Adam : TorchSharp.Modules.AdamW
{
    public Adam(IEnumerable<ParamGroup> groups, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0,
        bool amsgrad = false, bool decoupled_weight_decay = false)
        : base(groups, lr, beta1, beta2, eps, weight_decay, amsgrad) => DecoupledWeightDecay = decoupled_weight_decay;

    /// <summary>AdamW's decoupled decay (true) or Adam's L2 term (false).</summary>
    public bool DecoupledWeightDecay { get; }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = (Options)group.Options;
        foreach (var param in group.Parameters)
        {
            using var grad = param.grad;
            if (grad is null) continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            AdamUpdate.Apply(param, grad, state.exp_avg, state.exp_avg_sq, o.amsgrad!.Value ? state.max_exp_avg_sq : null, state.step,
                o.LearningRate!.Value, o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.weight_decay!.Value, DecoupledWeightDecay, o.maximize!.Value);
        }
    }, closure);
}
