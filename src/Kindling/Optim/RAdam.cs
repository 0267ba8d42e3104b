using static TorchSharp.torch;

namespace Kindling.Optim;

/// <summary>
/// RAdam with PyTorch's update. TorchSharp 0.107's RAdam multiplies the rectified step by the
/// learning rate twice (<c>exp_avg / bc1 * lr * lr * adaptive_lr * rect</c>), so once the
/// variance is tractable (rho_t &gt; 5, from step 6 with beta2 = 0.999) it moves lr times too little.
/// This keeps TorchSharp's state and parameter groups and replaces only the step.
/// </summary>
public sealed class RAdam : TorchSharp.Modules.RAdam
{
    public RAdam(IEnumerable<ParamGroup> groups, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0)
        : base(groups, lr, beta1, beta2, eps, weight_decay)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = (Options)group.Options;
        double beta1 = o.beta1!.Value, beta2 = o.beta2!.Value, eps = o.eps!.Value, weightDecay = o.weight_decay!.Value, lr = o.LearningRate!.Value;
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            using var scope = NewDisposeScope();
            var state = (State)_state[param.Handle];
            state.step += 1;
            double bc1 = 1 - Math.Pow(beta1, state.step), bc2 = 1 - Math.Pow(beta2, state.step);
            var g = weightDecay != 0 ? grad.add(param, alpha: weightDecay) : grad;
            state.exp_avg.mul_(beta1).add_(g, alpha: 1 - beta1);
            state.exp_avg_sq.mul_(beta2).addcmul_(g, g, value: 1 - beta2);
            var corrected = state.exp_avg / bc1;
            double rhoInf = 2 / (1 - beta2) - 1;
            double rhoT = rhoInf - 2 * state.step * Math.Pow(beta2, state.step) / bc2;
            if (rhoT > 5)
            {
                double rect = Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
                var adaptive = Math.Sqrt(bc2) / state.exp_avg_sq.sqrt().add_(eps);
                param.add_(corrected * adaptive * (lr * rect), alpha: -1.0);
            }
            else
            {
                param.add_(corrected, alpha: -lr);
            }
        }
    }, closure);
}
