using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>The initialisations of the papers and of torchvision, applied to a built model.</summary>
static class ModelInit
{
    /// <summary>
    /// He et al. (2015) / torchvision: convolutions Kaiming-normal with fan_out and the ReLU gain (fan_out
    /// keeps the backward signal's variance, which is what deep residual stacks need), conv biases 0;
    /// BatchNorm and GroupNorm weight 1, bias 0.
    /// </summary>
    public static void KaimingConvsUnitNorms(nn.Module root)
    {
        using var _ = torch.no_grad();
        foreach (var (_, m) in root.named_modules())
        {
            switch (m)
            {
                case Conv2d c:
                    nn.init.kaiming_normal_(c.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    if (c.bias is not null) nn.init.zeros_(c.bias);
                    break;
                case BatchNorm2d bn:
                    UnitNorm(bn.weight, bn.bias);
                    break;
                case GroupNorm gn:
                    UnitNorm(gn.weight, gn.bias);
                    break;
            }
        }
    }

    /// <summary>
    /// Zeroes the scale of a normalization layer, so the residual branch it ends starts as zero and the block
    /// as the identity (Goyal et al. 2017; torchvision's zero_init_residual). No-op for Identity.
    /// </summary>
    public static void ZeroNormScale(nn.Module norm)
    {
        using var _ = torch.no_grad();
        var weight = norm switch { BatchNorm2d bn => bn.weight, GroupNorm gn => gn.weight, _ => null };
        if (weight is not null) nn.init.zeros_(weight);
    }

    /// <summary>torchvision's classifier init for MobileNetV2: weights N(0, 0.01), biases 0.</summary>
    public static void SmallNormalLinear(Linear linear)
    {
        using var _ = torch.no_grad();
        nn.init.normal_(linear.weight, 0, 0.01);
        if (linear.bias is not null) nn.init.zeros_(linear.bias);
    }

    static void UnitNorm(Tensor? weight, Tensor? bias)
    {
        if (weight is not null) nn.init.ones_(weight);
        if (bias is not null) nn.init.zeros_(bias);
    }
}
