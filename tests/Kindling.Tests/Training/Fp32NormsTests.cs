using Kindling.Runtime;
using Kindling.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Training;

/// <summary>Mixed precision's per-layer policy, as autocast's: convolutions and linear layers in 16 bits, normalization in fp32.</summary>
[Collection("GlobalGenerator")]
public class Fp32NormsTests
{
    static nn.Module<Tensor, Tensor> Net()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(3);
        return nn.Sequential(("conv", nn.Conv2d(2, 4, 3, padding: 1)), ("bn", nn.BatchNorm2d(4)), ("gn", nn.GroupNorm(2, 4)),
            ("inorm", nn.InstanceNorm2d(4, affine: true)), ("flat", nn.Flatten()), ("ln", nn.LayerNorm(64)), ("fc", nn.Linear(64, 3)));
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void NormsStayFp32AndComputeInFp32WhileTheRestIs16Bit(ScalarType type)
    {
        using var model = Net();
        using (no_grad()) model.named_buffers().First(b => b.name == "bn.running_var").buffer.fill_(1.0001f); // not representable in 16 bits
        using var masters = new MasterWeights(model, type);
        var dtypes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.dtype);
        Assert.Equal(type, dtypes["conv.weight"]);
        Assert.Equal(type, dtypes["fc.weight"]);
        foreach (var norm in new[] { "bn", "gn", "inorm", "ln" }) Assert.Equal(ScalarType.Float32, dtypes[norm + ".weight"]);
        var runningVar = model.named_buffers().First(b => b.name == "bn.running_var").buffer;
        Assert.Equal(ScalarType.Float32, runningVar.dtype);
        Assert.Equal(1.0001f, runningVar[0].item<float>()); // kept exactly, not rounded through 16 bits

        // Each norm sees an fp32 input and hands back the compute type; the output is the compute type.
        var seen = new Dictionary<string, (ScalarType In, ScalarType Out)>();
        using var hooks = Kindling.Models.ForwardHooks.Register(model, (name, _, input, output) => seen[name] = (input.dtype, output.dtype));
        var y = model.forward(randn(2, 2, 4, 4).to(type));
        Assert.Equal(type, y.dtype);
        Assert.Equal(type, seen["conv"].Out);
        foreach (var norm in new[] { "bn", "gn", "inorm", "ln" }) Assert.Equal((ScalarType.Float32, type), seen[norm]);

        masters.RestoreFp32(model);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }
}
