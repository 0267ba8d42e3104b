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

    /// <summary>
    /// PyTorch's <c>nn.init.trunc_normal_</c>: N(mean, std²) truncated to [a, b], by inverting the normal CDF of a
    /// uniform draw between the CDF's values at a and b. TorchSharp 0.107's native version multiplies by the mean
    /// and adds the standard deviation, so with mean 0 every element becomes the constant <paramref name="std"/>
    /// (and NaN where the uniform draw hits the boundary: erfinv(-1) · 0).
    /// </summary>
    public static Tensor TruncNormal(Tensor tensor, double std, double mean = 0, double a = -2, double b = 2)
    {
        using var _ = torch.no_grad();
        static double Cdf(double x) => (1 + torch.tensor(x / Math.Sqrt(2), float64).erf().item<double>()) / 2;
        double lower = Cdf((a - mean) / std), upper = Cdf((b - mean) / std);
        tensor.uniform_(2 * lower - 1, 2 * upper - 1);
        tensor.erfinv_();
        tensor.mul_(std * Math.Sqrt(2));
        tensor.add_(mean);
        tensor.clamp_(a, b);
        return tensor;
    }

    static void UnitNorm(Tensor? weight, Tensor? bias)
    {
        if (weight is not null) nn.init.ones_(weight);
        if (bias is not null) nn.init.zeros_(bias);
    }
}
