using Kindling.Models;
using Kindling.Models.Blocks;
using Kindling.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Tests.Models;

/// <summary>The norm option swaps every normalization layer; initialisation follows torchvision and the papers.</summary>
public class NormAndInitTests
{
    public NormAndInitTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    [InlineData("batch", NormKind.Batch, 32)]
    [InlineData("group(8)", NormKind.Group, 8)]
    [InlineData(" GROUP ( 4 ) ", NormKind.Group, 4)]
    [InlineData("group", NormKind.Group, 32)]
    [InlineData("none", NormKind.None, 32)]
    public void NormSpecParses(string text, NormKind kind, int groups)
    {
        var spec = NormSpec.Parse(text);
        Assert.Equal(kind, spec.Kind);
        if (kind == NormKind.Group) Assert.Equal(groups, spec.Groups);
        Assert.Equal(spec, NormSpec.Parse(spec.ToString()));
    }

    [Fact]
    public void NormSpecRejectsNonsense()
    {
        var ex = Assert.Throws<ArgumentException>(() => NormSpec.Parse("layer"));
        Assert.Contains("batch, group(G)", ex.Message);
    }

    [Theory]
    [InlineData("resnet18-cifar")]
    [InlineData("preact-resnet18")]
    [InlineData("mobilenetv2-cifar")]
    [InlineData("seed-cnn")]
    public void GroupAndNoNormReplaceEveryBatchNorm(string name)
    {
        using var grouped = ModelRegistry.Create(name, new ModelOptions { Norm = NormSpec.Group(8) });
        Assert.Empty(grouped.modules().OfType<BatchNorm2d>());
        Assert.NotEmpty(grouped.modules().OfType<GroupNorm>());
        using var bare = ModelRegistry.Create(name, new ModelOptions { Norm = NormSpec.None });
        Assert.Empty(bare.modules().OfType<BatchNorm2d>());
        Assert.Empty(bare.modules().OfType<GroupNorm>());
        using var scope = NewDisposeScope();
        bare.train();
        var y = bare.call(randn(2, 3, 32, 32));
        y.sum().backward();
        Assert.True(isfinite(y).all().item<bool>());
    }

    [Fact]
    public void GroupCountThatDoesNotDivideIsAClearError()
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelRegistry.Create("resnet18-cifar", new ModelOptions { Norm = NormSpec.Group(7) }));
        Assert.Contains("group(7)", ex.Message);
        Assert.Contains("64 channels", ex.Message);
    }

    [Fact]
    public void ConvolutionsAreKaimingFanOutAndNormsUnit()
    {
        manual_seed(3);
        using var model = ModelRegistry.Create("resnet34-cifar");
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        // layer3.1.conv1: 256 x 256 x 3 x 3, fan_out = 256 * 9, std = sqrt(2 / fan_out).
        var w = p["layer3.1.conv1.weight"];
        double expected = Math.Sqrt(2.0 / (256 * 9));
        Assert.InRange(w.std().item<float>(), expected * 0.98, expected * 1.02);
        Assert.Equal(0, w.mean().item<float>(), 3);
        Assert.True(p["layer2.0.bn1.weight"].eq(1).all().item<bool>());
        Assert.True(p["layer2.0.bn1.bias"].eq(0).all().item<bool>());
        Assert.False(p["layer2.0.bn2.weight"].eq(0).all().item<bool>());
    }

    [Theory]
    [InlineData("resnet18-cifar", "bn2")]
    [InlineData("resnet50", "bn3")]
    public void ZeroInitLastBnMakesEveryBlockStartAsItsShortcut(string name, string last)
    {
        using var model = ModelRegistry.Create(name, new ModelOptions { ZeroInitLastBn = true });
        var lastNorms = model.named_parameters().Where(p => p.name.StartsWith("layer", StringComparison.Ordinal) && p.name.EndsWith($".{last}.weight", StringComparison.Ordinal)).ToList();
        Assert.Equal(name == "resnet50" ? 16 : 8, lastNorms.Count);
        Assert.All(lastNorms, p => Assert.True(p.parameter.eq(0).all().item<bool>(), p.name));
        // The shortcut's BN and the others keep weight 1.
        Assert.True(model.named_parameters().Single(p => p.name == "layer2.0.downsample.1.weight").parameter.eq(1).all().item<bool>());
        // A block whose input passes the identity shortcut then outputs relu(input) = input for non-negative input.
        using var scope = NewDisposeScope();
        var block = model.named_modules().Single(m => m.name == "layer1.1").module as nn.Module<Tensor, Tensor>;
        block!.eval();
        var x = rand(1, name == "resnet50" ? 256 : 64, 8, 8);
        Assert.True(block.call(x.clone()).allclose(x));
    }

    [Fact]
    public void MobileNetV2ClassifierIsSmallNormal()
    {
        manual_seed(5);
        using var model = ModelRegistry.Create("mobilenetv2");
        var fc = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.InRange(fc["classifier.fc.weight"].std().item<float>(), 0.0098, 0.0102);
        Assert.True(fc["classifier.fc.bias"].eq(0).all().item<bool>());
    }

    [Fact]
    public void VitWeightsAreTruncatedNormalNotTorchSharpsConstant()
    {
        // TorchSharp 0.107's trunc_normal_ swaps mean and std: every weight became 0.02 (NaN at a boundary draw).
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = ModelRegistry.Create("vit-tiny-cifar", new ModelOptions { Depth = 2 });
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        foreach (var name in new[] { "blocks.1.attn.proj.weight", "blocks.0.mlp.fc1.weight", "head.weight", "embed.pos_embed" })
        {
            var w = p[name];
            Assert.True(isfinite(w).all().item<bool>(), name);
            Assert.InRange(w.std().item<float>(), 0.0195, 0.0205);
            Assert.InRange(w.mean().item<float>(), -0.001, 0.001);
            Assert.True(w.abs().max().item<float>() <= 2, name);
        }
    }
}
