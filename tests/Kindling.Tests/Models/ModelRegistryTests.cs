using Kindling.Models;
using Kindling.Models.Blocks;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Models;

/// <summary>Every registered model builds, runs forward and backward, and has its reference's parameter count.</summary>
public class ModelRegistryTests
{
    public ModelRegistryTests() => TorchRuntime.EnsureLoaded();

    // Too heavy for forward and backward on CI's two cores; checked by parameter count and a forward in the summary tests.
    static readonly HashSet<string> Heavy = new() { "wrn-28-10", "wrn" };

    public static TheoryData<string> TrainableNames() => new(ModelRegistry.Names.Where(n => !Heavy.Contains(n)));

    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    [Theory]
    [MemberData(nameof(TrainableNames))]
    public void BuildsRunsForwardAndBackward(string name)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        // ViT's default depth is 12: two blocks exercise the same code in a fraction of the time.
        var options = name.StartsWith("vit", StringComparison.Ordinal) ? new ModelOptions { NumClasses = 7, Depth = 2 } : new ModelOptions { NumClasses = 7 };
        using var model = ModelRegistry.Create(name, options);
        model.train();
        // 32x32 everywhere: ImageNet-stem models reach 1x1 in their last stage, enough to exercise every layer.
        var x = randn(2, 3, 32, 32);
        var y = model.call(x);
        Assert.Equal(new long[] { 2, 7 }, y.shape);
        Assert.True(isfinite(y).all().item<bool>(), $"{name}: non-finite logits");
        nn.functional.cross_entropy(y, tensor(new long[] { 1, 5 })).backward();
        var missing = model.named_parameters().Where(p => p.parameter.grad is null).Select(p => p.name).ToList();
        Assert.True(missing.Count == 0, $"{name}: no gradient for {string.Join(", ", missing)}");
    }

    [Theory]
    [InlineData("resnet18", 1000, 11_689_512)]      // torchvision resnet18
    [InlineData("resnet34", 1000, 21_797_672)]      // torchvision resnet34
    [InlineData("resnet50", 1000, 25_557_032)]      // torchvision resnet50
    [InlineData("resnet18-cifar", 100, 11_220_132)] // 3x3 stem, bias-free convs, 1x1 projection shortcuts with BN
    [InlineData("mobilenetv2", 1000, 3_504_872)]    // torchvision mobilenet_v2
    [InlineData("wrn-28-10", 100, 36_536_884)]      // Zagoruyko & Komodakis, CIFAR-100
    [InlineData("seed-cnn", 100, 7_361_572)]        // the seeds' network, built in PyTorch 1.13 from their layer list
    [InlineData("seed-cnn-2block", 100, 9_226_276)] // its first two blocks and the same head (fc1 reads 128 x 8 x 8), likewise
    public void ParameterCountsMatchReferences(string name, int classes, long expected)
    {
        using var model = ModelRegistry.Create(name, new ModelOptions { NumClasses = classes });
        Assert.Equal(expected, Count(model));
    }

    [Theory]
    [InlineData(0.5, 1_968_680)] // torchvision mobilenet_v2(width_mult=0.5)
    [InlineData(1.4, 6_108_776)] // torchvision mobilenet_v2(width_mult=1.4)
    public void MobileNetV2WidthMultiplierMatchesTorchvision(double alpha, long expected)
    {
        using var model = ModelRegistry.Create("mobilenetv2", new ModelOptions { WidthMultiplier = alpha });
        Assert.Equal(expected, Count(model));
    }

    [Fact]
    public void MobileNetV2UsesDepthwiseConvsAndRelu6()
    {
        using var model = ModelRegistry.Create("mobilenetv2-cifar");
        var convs = model.modules().OfType<TorchSharp.Modules.Conv2d>().ToList();
        Assert.Contains(convs, c => c.weight.shape[1] == 1 && c.weight.shape[0] > 1); // depthwise: one input channel per group
        Assert.Equal(35, model.modules().OfType<TorchSharp.Modules.ReLU6>().Count()); // stem, 16 expansions, 17 depthwise, last
        Assert.Equal(10, model.modules().OfType<InvertedResidual>().Count(b => b.UsesResidual));
    }

    [Fact]
    public void SeAndEcaAddOnlyTheirAttentionParameters()
    {
        using var plain = ModelRegistry.Create("resnet18-cifar");
        using var se = ModelRegistry.Create("se-resnet18-cifar", new ModelOptions { SeReduction = 8 });
        using var eca = ModelRegistry.Create("eca-resnet18-cifar");
        // SE adds 2 C^2 / r per block; ECA adds k per block (k = 3, 5, 5, 5 for 64, 128, 256, 512 channels).
        long seExtra = new long[] { 64, 64, 128, 128, 256, 256, 512, 512 }.Sum(c => 2 * c * (c / 8));
        Assert.Equal(Count(plain) + seExtra, Count(se));
        Assert.Equal(Count(plain) + 2 * (3 + 5 + 5 + 5), Count(eca));
    }

    [Fact]
    public void WideResNetDepthAndWidthOptions()
    {
        using var wrn = ModelRegistry.Create("wrn", new ModelOptions { Depth = 16, WidenFactor = 4, DropRate = 0.3 });
        Assert.Equal(6, wrn.modules().OfType<PreActBlock>().Count()); // n = (16 - 4) / 6 = 2 per group
        Assert.Equal(6, wrn.modules().OfType<TorchSharp.Modules.Dropout>().Count());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ModelRegistry.Create("wrn", new ModelOptions { Depth = 27 }));
        Assert.Contains("6n+4", ex.Message);
    }

    [Fact]
    public void UnknownNameListsTheKnownOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelRegistry.Create("resnet19"));
        Assert.Contains("Unknown model 'resnet19'", ex.Message);
        foreach (var name in new[] { "seed-cnn", "resnet18-cifar", "mobilenetv2", "vit-tiny-cifar", "wrn-28-10" })
            Assert.Contains(name, ex.Message);
    }

    [Theory]
    [InlineData("seed-cnn", "drop_path_rate")]
    [InlineData("wrn-28-10", "zero_init_last_bn")]
    [InlineData("vit-tiny-cifar", "norm")]
    [InlineData("resnet18", "width_multiplier")]
    public void UnsupportedOptionIsAClearError(string name, string option)
    {
        var options = option switch
        {
            "drop_path_rate" => new ModelOptions { DropPathRate = 0.1 },
            "zero_init_last_bn" => new ModelOptions { ZeroInitLastBn = true },
            "norm" => new ModelOptions { Norm = NormSpec.Group(8) },
            _ => new ModelOptions { WidthMultiplier = 0.5 },
        };
        var ex = Assert.Throws<ArgumentException>(() => ModelRegistry.Create(name, options));
        Assert.Contains($"'{name}' does not support {option}", ex.Message);
        Assert.Contains("num_classes", ex.Message);
    }

    [Fact]
    public void SeedCnnAdaptsTo28x28Grayscale()
    {
        using var scope = NewDisposeScope();
        var model = (SeedCnn)ModelRegistry.Create("seed-cnn", new ModelOptions { InChannels = 1, InputSize = 28, NumClasses = 10 });
        Assert.Equal(512, model.FlattenFeatures); // 28 -> 14 -> 7 -> 3 -> 1
        model.eval();
        Assert.Equal(new long[] { 3, 10 }, model.call(zeros(3, 1, 28, 28)).shape);
        Assert.Equal(2048, new SeedCnn().FlattenFeatures);
    }
}
