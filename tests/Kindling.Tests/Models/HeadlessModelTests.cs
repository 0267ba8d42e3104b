using Kindling.Models;
using Kindling.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Tests.Models;

/// <summary>
/// num_classes 0 builds every registry model without its classifier: forward returns the (N, F) features, which
/// are what the headed model's classifier reads, under the same parameter names and from the same initial weights.
/// </summary>
[Collection("GlobalGenerator")]
public class HeadlessModelTests
{
    public HeadlessModelTests() => TorchRuntime.EnsureLoaded();

    // Too heavy for forward passes on CI's two cores; "wrn" covers the family at a small depth and width.
    static readonly HashSet<string> Heavy = new() { "wrn-28-10" };

    public static TheoryData<string> RunnableNames() => new(ModelRegistry.Names.Where(n => !Heavy.Contains(n)));

    public static TheoryData<string> AllNames() => new(ModelRegistry.Names);

    static ModelOptions Small(string name, int? classes) => name switch
    {
        "vit-tiny-cifar" => new ModelOptions { NumClasses = classes, Depth = 2 },
        "wrn" => new ModelOptions { NumClasses = classes, Depth = 10, WidenFactor = 2 },
        _ => new ModelOptions { NumClasses = classes },
    };

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Theory]
    [MemberData(nameof(RunnableNames))]
    public void HeadlessForwardReturnsTheFeatures(string name)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var options = Small(name, 0);
        using var model = ModelRegistry.Create(name, options);
        var features = Assert.IsAssignableFrom<IFeatureModel>(model);
        Assert.Equal(0, features.NumClasses);
        Assert.Equal(ModelRegistry.NumFeatures(name, options), features.NumFeatures);
        model.eval();
        var x = randn(2, 3, 32, 32);
        using var _ = no_grad();
        var y = model.call(x);
        Assert.Equal(new[] { 2L, features.NumFeatures }, y.shape);
        Assert.True(Same(y, features.ForwardFeatures(x)), $"{name}: the headless forward differs from ForwardFeatures");
    }

    [Theory]
    [MemberData(nameof(RunnableNames))]
    public void HeadedModelIsItsHeadOnTheHeadlessFeatures(string name)
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var headed = ModelRegistry.Create(name, Small(name, 7));
        using var headless = ModelRegistry.Create(name, Small(name, 0));
        Assert.Equal(7, ((IFeatureModel)headed).NumClasses);

        // The trunk's names are the same, in the same order; the head is one linear layer on top.
        var trunk = headless.state_dict().Keys.ToList();
        var extra = headed.state_dict().Keys.Except(trunk).ToList();
        Assert.Equal(trunk, headed.state_dict().Keys.Where(k => !extra.Contains(k)).ToList());
        string headName = extra[0][..extra[0].LastIndexOf('.')];
        var head = Assert.IsType<Linear>(headed.named_modules().Single(m => m.name == headName).module);
        Assert.Equal(head.named_parameters().Select(p => $"{headName}.{p.name}"), extra);
        Assert.Equal(((IFeatureModel)headless).NumFeatures, head.in_features);

        // Given the headed model's trunk weights, the headless forward is the headed model's features.
        var (missing, unexpected) = headless.load_state_dict(headed.state_dict(), strict: false);
        Assert.Empty(missing);
        Assert.Equal(extra, unexpected);
        headed.eval();
        headless.eval();
        var x = randn(3, 3, 32, 32);
        using var _ = no_grad();
        var features = ((IFeatureModel)headed).ForwardFeatures(x);
        Assert.True(Same(features, headless.call(x)), $"{name}: ForwardFeatures of the classifier differs from the headless forward");
        Assert.True(Same(headed.call(x), head.call(features)), $"{name}: logits differ from head(ForwardFeatures(x))");
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void SameSeedGivesTheDefaultClassifiersTrunk(string name)
    {
        using var scope = NewDisposeScope();
        // The default classifier's head draws between the trunk's construction and its re-initialisation;
        // headless builds draw (and discard) it too, so the trunks agree weight for weight.
        manual_seed(3);
        using var headed = ModelRegistry.Create(name, Small(name, null));
        manual_seed(3);
        using var headless = ModelRegistry.Create(name, Small(name, 0));
        var reference = headed.state_dict();
        foreach (var (key, value) in headless.state_dict())
            Assert.True(Same(value, reference[key]), $"{name}: '{key}' differs between the headed and the headless build");
    }

    [Fact]
    public void SeedCnnTrunkIsTheSameForAnyClassCount()
    {
        using var scope = NewDisposeScope();
        // Its head is drawn last (PyTorch's default init, no re-initialisation), so the class count cannot move the trunk.
        manual_seed(4);
        using var headed = ModelRegistry.Create("seed-cnn", new ModelOptions { NumClasses = 10 });
        manual_seed(4);
        using var headless = ModelRegistry.Create("seed-cnn", new ModelOptions { NumClasses = 0 });
        var reference = headed.state_dict();
        foreach (var (key, value) in headless.state_dict()) Assert.True(Same(value, reference[key]), key);
    }

    [Fact]
    public void TheHeadsDropoutIsPartOfTheFeaturesInTraining()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = ModelRegistry.Create("resnet18-cifar", new ModelOptions { NumClasses = 4, DropRate = 0.5 });
        var features = (IFeatureModel)model;
        model.train();
        var x = randn(2, 3, 32, 32);
        using var _ = no_grad();
        manual_seed(6);
        var f = features.ForwardFeatures(x);
        manual_seed(6);
        var logits = model.call(x);
        var fc = (Linear)model.named_modules().Single(m => m.name == "fc").module;
        Assert.True(Same(logits, fc.call(f)));
        Assert.True(f.eq(0).any().item<bool>(), "dropout 0.5 in training should zero some features");
    }

    [Theory]
    [InlineData("seed-cnn", 512)]
    [InlineData("resnet18-cifar", 512)]
    [InlineData("resnet50", 2048)]
    [InlineData("se-resnet50-cifar", 2048)]
    [InlineData("preact-resnet18", 512)]
    [InlineData("wrn-28-10", 640)]
    [InlineData("mobilenetv2", 1280)]
    [InlineData("vit-tiny-cifar", 192)]
    [InlineData("fastnet", 256)]
    public void RegistryGivesTheFeatureWidthWithoutBuilding(string name, long expected)
    {
        Assert.Equal(expected, ModelRegistry.NumFeatures(name));
        Assert.Equal(expected, ModelRegistry.NumFeatures(name, new ModelOptions { NumClasses = 0 }));
    }

    [Fact]
    public void FeatureWidthFollowsTheFamilyOptions()
    {
        using var scope = NewDisposeScope();
        var cases = new (string Name, ModelOptions Options, long Expected)[]
        {
            ("mobilenetv2-cifar", new() { NumClasses = 0, WidthMultiplier = 1.4 }, 1792),
            ("mobilenetv2-cifar", new() { NumClasses = 0, WidthMultiplier = 0.5 }, 1280),
            ("fastnet", new() { NumClasses = 0, WidthMultiplier = 0.5 }, 128),
            ("wrn", new() { NumClasses = 0, Depth = 10, WidenFactor = 3 }, 192),
            ("vit-tiny-cifar", new() { NumClasses = 0, Depth = 1, EmbedDim = 96, Heads = 2 }, 96),
            ("seed-cnn", new() { NumClasses = 0, InChannels = 1, InputSize = 28 }, 512),
        };
        foreach (var (name, options, expected) in cases)
        {
            Assert.Equal(expected, ModelRegistry.NumFeatures(name, options));
            using var model = ModelRegistry.Create(name, options);
            Assert.Equal(expected, ((IFeatureModel)model).NumFeatures);
        }
    }

    [Fact]
    public void NegativeClassesAndUnsupportedOptionsAreRefusedAsByCreate()
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelRegistry.Create("resnet18-cifar", new ModelOptions { NumClasses = -1 }));
        Assert.Contains("0 for the model without its classifier", ex.Message);
        Assert.Throws<ArgumentException>(() => ModelRegistry.NumFeatures("resnet18-cifar", new ModelOptions { NumClasses = -1 }));
        Assert.Contains("does not support width_multiplier", Assert.Throws<ArgumentException>(() =>
            ModelRegistry.NumFeatures("resnet18", new ModelOptions { WidthMultiplier = 2 })).Message);
    }
}
