using Kindling.Compression;
using Kindling.Compression.Fusion;
using Kindling.Models;
using Kindling.Models.Blocks;
using Kindling.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Tests.Compression;

/// <summary>Fused models compute what the unfused eval models compute, with every foldable BatchNorm gone.</summary>
[Collection("GlobalGenerator")]
public class ModelFusionTests
{
    public ModelFusionTests() => TorchRuntime.EnsureLoaded();

    /// <summary>Running statistics and affine parameters away from their initial 0/1, so folding changes the weights.</summary>
    internal static void RandomizeNorms(nn.Module model)
    {
        using var _ = no_grad();
        foreach (var (_, m) in model.named_modules())
            if (m is BatchNorm bn)
            {
                bn.running_mean!.uniform_(-0.2, 0.2);
                bn.running_var!.uniform_(0.5, 1.5);
                bn.weight.uniform_(0.8, 1.2);
                bn.bias!.uniform_(-0.1, 0.1);
            }
    }

    static int CountNorms(nn.Module model) => model.named_modules().Count(m => m.module is BatchNorm);

    // name, pairs folded, BatchNorms left: every registry family with BatchNorm. What stays, and why:
    // preact/wrn: bn1 of each block normalizes the block's input, the sum of the previous block and its shortcut
    // (pre-activation: BN comes before its convolution), and so does the last bn; fastnet: bn1 follows a max pool.
    // WRN's first bn1 does fold into the stem: its first block projects the shortcut from the normalized input.
    [Theory]
    [InlineData("seed-cnn", 8, 0)]
    [InlineData("resnet18-cifar", 20, 0)]
    [InlineData("resnet50-cifar", 53, 0)]
    [InlineData("se-resnet18-cifar", 20, 0)]
    [InlineData("mobilenetv2-cifar", 52, 0)]
    [InlineData("preact-resnet18", 8, 9)]
    [InlineData("wrn-28-2", 13, 12)]
    [InlineData("fastnet", 4, 3)]
    public void FusedModelEqualsTheUnfusedEvalModel(string name, int folded, int left)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        // Dropout inside WRN blocks sits between conv1 and bn2: the identity in eval, so the pair still folds.
        var options = new ModelOptions { NumClasses = 10, InputSize = 16, DropRate = name.StartsWith("wrn", StringComparison.Ordinal) ? 0.3 : null };
        using var model = ModelRegistry.Create(name, options);
        RandomizeNorms(model);
        model.eval();
        // 16x16 keeps the test fast; every layer still sees at least 1x1.
        var x = randn(2, 3, 16, 16);
        Tensor expected;
        using (inference_mode()) expected = model.call(x);
        int before = CountNorms(model);

        var plan = ModelFusion.Plan(model, new long[] { 3, 16, 16 });
        ModelFusion.Fuse(model, plan);

        Assert.Equal(folded, plan.Pairs.Count);
        Assert.Equal(left, plan.Unfolded.Count);
        Assert.Equal(before, folded + left);
        Assert.Equal(left, CountNorms(model));
        Tensor actual;
        using (inference_mode()) actual = model.call(x);
        double diff = (actual - expected).abs().max().item<float>();
        double scale = Math.Max(1, expected.abs().max().item<float>());
        Assert.True(diff <= 1e-5 * scale, $"{name}: fused output differs by {diff} (outputs up to {scale})");
    }

    [Fact]
    public void SeedCnnBlocksBecomeConvWithBiasIdentityReLU()
    {
        using var scope = NewDisposeScope();
        using var model = new SeedCnn(numClasses: 10);
        RandomizeNorms(model);
        model.eval();
        ModelFusion.Fuse(model, new long[] { 3, 32, 32 });
        var block = model.named_modules().Where(m => m.name.StartsWith("features.block1.", StringComparison.Ordinal))
            .ToDictionary(m => m.name["features.block1.".Length..], m => m.module);
        Assert.IsType<Conv2d>(block["conv1"]);
        Assert.NotNull(((Conv2d)block["conv1"]).bias);
        Assert.IsType<Identity>(block["bn1"]);
        Assert.IsType<ReLU>(block["relu1"]);
        // The state dict names the folded bias and nothing of the BatchNorm.
        var keys = model.state_dict().Keys.ToList();
        Assert.Contains("features.block1.conv1.bias", keys);
        Assert.DoesNotContain(keys, k => k.StartsWith("features.block1.bn1", StringComparison.Ordinal));
    }

    [Fact]
    public void ThePlanSaysWhyPreActivationNormsStay()
    {
        using var scope = NewDisposeScope();
        using var model = ModelRegistry.Create("preact-resnet18", new ModelOptions { NumClasses = 10 });
        model.eval();
        var plan = ModelFusion.Plan(model, new long[] { 3, 32, 32 });
        Assert.Contains(new FoldPair("layer1.0.conv1", "layer1.0.bn2"), plan.Pairs);
        var reasons = plan.Unfolded.ToDictionary(u => u.Norm, u => u.Reason);
        // A block's bn1 normalizes the previous block's conv2 output after the shortcut was added into it in place.
        Assert.Contains("changed in place", reasons["layer2.0.bn1"]);
        Assert.Contains("changed in place", reasons["bn"]);
        // The stem's output is also the first block's identity shortcut.
        Assert.Contains("residual shortcut", reasons["layer1.0.bn1"]);
    }

    [Fact]
    public void TrainingModeIsRefusedWithTheReason()
    {
        using var model = new SeedCnn(numClasses: 10);
        model.train();
        var x = Assert.Throws<InvalidOperationException>(() => ModelFusion.Fuse(model, new long[] { 3, 32, 32 }));
        Assert.Contains("eval()", x.Message);
        Assert.Contains("batch", x.Message);
        Assert.Contains("running statistics", x.Message);
        Assert.Equal(8, CountNorms(model));
    }

    [Fact]
    public void GroupNormModelsHaveNothingToFold()
    {
        using var scope = NewDisposeScope();
        using var model = new SeedCnn(numClasses: 10, norm: NormSpec.Parse("group(8)"));
        model.eval();
        var plan = ModelFusion.Plan(model, new long[] { 3, 32, 32 });
        Assert.Empty(plan.Pairs);
        Assert.Empty(plan.Unfolded);
    }
}
