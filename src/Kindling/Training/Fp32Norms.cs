using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// Mixed precision's exceptions, as PyTorch's autocast makes them: normalization layers (batch, layer, group and instance
/// norm) keep fp32 parameters and statistics and compute in fp32 on an fp32 copy of their 16-bit input, and hand the
/// result back in the compute type. A running variance in fp16 loses the small updates of its momentum, and
/// layer/group norm's mean and variance over many elements lose digits in 16 bits; autocast lists layer_norm and
/// group_norm among its fp32 ops, and its batch norm keeps fp32 weights and statistics for a 16-bit input.
/// (Softmax and the loss are computed in fp32 by the tasks, which cast the logits first.)
/// </summary>
public sealed class Fp32Norms : IDisposable
{
    readonly List<Action> removers = new();
    int layers;

    /// <summary>Puts every normalization layer of <paramref name="model"/> (already cast to <paramref name="computeType"/>) back in fp32, with hooks casting around it.</summary>
    public Fp32Norms(nn.Module model, ScalarType computeType)
    {
        foreach (var (_, module) in model.named_modules())
        {
            if (!IsNorm(module) || module is not nn.Module<Tensor, Tensor> norm) continue;
            norm.to(float32);
            removers.Add(norm.register_forward_pre_hook((_, input) => input.dtype == float32 ? input : input.to(float32)).remove);
            removers.Add(norm.register_forward_hook((_, _, output) => output.dtype == computeType ? output : output.to(computeType)).remove);
            layers++;
        }
    }

    /// <summary>How many layers were kept in fp32.</summary>
    public int Layers => layers;

    /// <summary>Whether autocast computes <paramref name="module"/> in fp32: batch, layer, group and instance normalization.</summary>
    public static bool IsNorm(nn.Module module) => module is BatchNorm1d or BatchNorm2d or BatchNorm3d or LayerNorm or GroupNorm
        or InstanceNorm1d or InstanceNorm2d or InstanceNorm3d;

    /// <summary>Removes the casting hooks (the layers stay fp32).</summary>
    public void Dispose()
    {
        foreach (var remove in removers) remove();
        removers.Clear();
    }
}
