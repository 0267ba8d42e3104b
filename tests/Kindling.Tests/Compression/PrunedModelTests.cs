using Kindling.Compression;
using Kindling.Compression.Pruning;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Tests.Training;
using Kindling.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Compression;

/// <summary>Masks hold through training (PyTorch's weight_orig * mask) and become permanent on Remove.</summary>
[Collection("GlobalGenerator")]
public class PrunedModelTests
{
    public PrunedModelTests() => TorchRuntime.EnsureLoaded();

    static nn.Module<Tensor, Tensor> ConvNet()
    {
        manual_seed(4);
        return nn.Sequential(("conv", nn.Conv2d(1, 8, 3, padding: 1)), ("bn", nn.BatchNorm2d(8)), ("relu", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(new long[] { 2, 2 })), ("flat", nn.Flatten()), ("fc", nn.Linear(32, 3)));
    }

    static Tensor Param(nn.Module m, string name) => m.named_parameters().First(p => p.name == name).parameter;

    [Fact]
    public void PrunedWeightsStayExactlyZeroThroughTrainingWithMomentumAndWeightDecay()
    {
        using var scope = NewDisposeScope();
        var model = ConvNet();
        using var pruned = new PrunedModel(model);
        pruned.Apply("conv.weight", MagnitudeMasks.LnStructured(Param(model, "conv.weight"), 0.5, 2, 0));
        pruned.Apply("fc.weight", MagnitudeMasks.L1Unstructured(Param(model, "fc.weight"), 0.6));
        var convBefore = Param(model, "conv.weight").detach().clone();
        var fcBefore = Param(model, "fc.weight").detach().clone();
        Assert.Equal(0.5 * convBefore.numel(), convBefore.eq(0).sum().item<long>());

        var options = new TrainerOptions
        {
            Epochs = 2, Device = "cpu", ClipGradNorm = 1.0,
            Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.2, Momentum = 0.9, WeightDecay = 0.05, DecayNormAndBias = true },
        };
        new Trainer(options, new[] { pruned }).Fit(model, TinyData.Loader(TinyData.Bands(64), 16, shuffle: true));

        foreach (var (name, before) in new[] { ("conv.weight", convBefore), ("fc.weight", fcBefore) })
        {
            var mask = pruned.MaskOf(name)!;
            var after = Param(model, name).detach();
            Assert.True(after.masked_select(mask.eq(0)).eq(0).all().item<bool>(), $"{name}: a pruned weight moved");
            Assert.True(after.masked_select(mask.eq(1)).ne(before.masked_select(mask.eq(1))).all().item<bool>(), $"{name}: kept weights did not train");
        }
    }

    [Fact]
    public void TheForwardPassSeesMaskedWeightsEvenIfAWeightIsChangedBehindTheMask()
    {
        using var scope = NewDisposeScope();
        var model = ConvNet();
        model.eval();
        using var pruned = new PrunedModel(model);
        var mask = MagnitudeMasks.L1Unstructured(Param(model, "fc.weight"), 0.5);
        pruned.Apply("fc.weight", mask);
        var x = randn(2, 1, 8, 8);
        var expected = model.call(x).detach().clone();
        using (no_grad()) Param(model, "fc.weight").add_(1.0); // e.g. an optimizer step that was not masked
        var y = model.call(x);
        Assert.True(Param(model, "fc.weight").masked_select(mask.eq(0)).eq(0).all().item<bool>());
        Assert.False(y.allclose(expected), "the kept weights changed, so the output must");

        pruned.Remove();
        using (no_grad()) Param(model, "fc.weight").add_(1.0);
        model.call(x);
        Assert.True(Param(model, "fc.weight").masked_select(mask.eq(0)).eq(1).all().item<bool>(), "after Remove no hook masks the weight");
    }

    [Fact]
    public void MasksCombineAsPyTorchsContainerDoes()
    {
        using var scope = NewDisposeScope();
        var model = ConvNet();
        using var pruned = new PrunedModel(model);
        var w = Param(model, "fc.weight");
        pruned.Apply("fc.weight", MagnitudeMasks.L1Unstructured(w, 0.5));
        pruned.Apply("fc.weight", MagnitudeMasks.L1Unstructured(w, 0.5, pruned.MaskOf("fc.weight")));
        Assert.Equal(72, pruned.MaskOf("fc.weight")!.eq(0).sum().item<long>()); // 48 of 96, then 24 of the 48 left
        var x = Assert.Throws<ArgumentException>(() => pruned.Apply("fc.weight", ones(3, 3)));
        Assert.Contains("shape", x.Message);
    }
}
