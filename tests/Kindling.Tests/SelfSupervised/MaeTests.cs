using Kindling.Models;
using Kindling.Runtime;
using Kindling.SelfSupervised;
using Kindling.SelfSupervised.Mae;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.SelfSupervised;

/// <summary>
/// MAE's pieces: patchify/unpatchify, the argsort masking (kept patches are exactly the unmasked ones, the restore order
/// inverts the shuffle), the loss reading only removed patches, the encoder's contract for probes, and clear errors.
/// </summary>
public class MaeTests
{
    public MaeTests() => TorchRuntime.EnsureLoaded();

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>();

    static MaeOptions Tiny(string features = "mean") => new()
    {
        ImageSize = 8, Channels = 1, PatchSize = 2, MaskRatio = 0.75, EmbedDim = 16, Depth = 1, Heads = 2,
        DecoderDim = 8, DecoderDepth = 1, DecoderHeads = 2, Features = features,
    };

    [Fact]
    public void PatchifyAndUnpatchifyRoundTripInMaesOrder()
    {
        using var scope = NewDisposeScope();
        var images = randn(2, 3, 8, 12);
        var patches = Patches.Patchify(images, 4);
        Assert.Equal([2, 6, 48], patches.shape);
        // Patch 1 is row 0, column 1; inside it pixels row by row, channels innermost.
        var expected = images[0, .., 0..4, 4..8].permute(1, 2, 0).reshape(-1);
        Assert.True(Same(patches[0, 1], expected));
        Assert.True(Same(Patches.Unpatchify(patches, 4, 3, 8, 12), images));
    }

    [Fact]
    public void APatchSizeThatDoesNotDivideTheImageIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => Patches.Patchify(zeros(1, 1, 28, 28), 5));
        Assert.Contains("patch size 5 does not divide the 28x28 image", e.Message);
        Assert.Contains("2, 4, 7, 14", e.Message);
        e = Assert.Throws<ArgumentException>(() => new MaskedAutoencoder(Tiny() with { PatchSize = 3 }));
        Assert.Contains("patch size 3 does not divide the 8x8 image", e.Message);
        Assert.Contains("keeps no patch", Assert.Throws<ArgumentException>(() => RandomMasking.KeepCount(4, 0.9)).Message);
    }

    [Fact]
    public void TheKeptTokensAreExactlyTheUnmaskedOnesAndRestoreInvertsTheShuffle()
    {
        using var scope = NewDisposeScope();
        long n = 3, length = 16, dim = 2;
        // Token t of sample s holds (s, t), so every kept token says where it came from.
        var tokens = stack([arange(n).view(n, 1).expand(n, length).to(float32), arange(length).view(1, length).expand(n, length).to(float32)], 2);
        using var generator = new torch.Generator(7);
        var noise = rand(n, length, generator: generator);
        var m = RandomMasking.Apply(tokens, 0.75, noise);
        Assert.Equal([n, 4, dim], m.Kept.shape);
        Assert.Equal(4 * n, (long)(1 - m.Mask).sum().item<float>());
        for (int s = 0; s < n; s++)
        {
            var keptPositions = m.Kept[s, .., 1].data<float>().Select(v => (int)v).Order().ToArray();
            var unmasked = Enumerable.Range(0, (int)length).Where(t => m.Mask[s, t].item<float>() == 0).ToArray();
            Assert.Equal(unmasked, keptPositions);
            Assert.Equal(keptPositions, m.IdsKeep[s].data<long>().Select(v => (int)v).Order());
            Assert.True(m.Kept[s, .., 0].eq(s).all().item<bool>());
            // The kept ones are those with the smallest noise.
            var smallest = noise[s].argsort().narrow(0, 0, 4).data<long>().Select(v => (int)v).Order();
            Assert.Equal(smallest, keptPositions);
        }
        // Masks differ per sample.
        Assert.False(Same(m.Mask[0], m.Mask[1]) && Same(m.Mask[1], m.Mask[2]));
        // Shuffled order (kept, then removed) gathered with ids_restore is the original sequence.
        var shuffled = tokens.gather(1, noise.argsort(1).unsqueeze(-1).expand(n, length, dim));
        Assert.True(Same(shuffled.gather(1, m.IdsRestore.unsqueeze(-1).expand(n, length, dim)), tokens));
        Assert.True(Same(shuffled.narrow(1, 0, 4), m.Kept));
    }

    [Fact]
    public void TheLossIgnoresVisiblePatches()
    {
        using var scope = NewDisposeScope();
        var prediction = randn(2, 16, 4);
        var target = randn(2, 16, 4);
        var mask = zeros(2, 16);
        mask[0, 3] = 1; mask[1, 0] = 1; mask[1, 9] = 1;
        var loss = MaeLoss.Compute(prediction, target, mask).item<float>();
        var visibleChanged = prediction + (1 - mask).unsqueeze(-1) * randn(2, 16, 4) * 10;
        Assert.Equal(loss, MaeLoss.Compute(visibleChanged, target, mask).item<float>(), 6);
        var maskedChanged = prediction + mask.unsqueeze(-1);
        Assert.NotEqual(loss, MaeLoss.Compute(maskedChanged, target, mask).item<float>(), 3);
        // By hand: mean over the three removed patches of their per-patch MSE.
        var perPatch = (prediction - target).square().mean([-1]);
        Assert.Equal((perPatch[0, 3] + perPatch[1, 0] + perPatch[1, 9]).item<float>() / 3, loss, 5);

        // Through the whole model: no gradient reaches the predictions of visible patches.
        using var mae = new MaskedAutoencoder(Tiny());
        var images = randn(2, 1, 8, 8);
        var (pred, m) = mae.call(images, rand(2, 16));
        var p = pred.detach().requires_grad_(true);
        MaeLoss.Compute(p, MaeLoss.Targets(images, 2, normPix: true), m).backward();
        Assert.Equal(0f, (p.grad! * (1 - m).unsqueeze(-1)).abs().sum().item<float>());
        Assert.True((p.grad! * m.unsqueeze(-1)).abs().sum().item<float>() > 0);
    }

    [Fact]
    public void NormalizedTargetsHaveZeroMeanAndUnitVariancePerPatch()
    {
        using var scope = NewDisposeScope();
        var targets = MaeLoss.Targets(rand(2, 3, 8, 8) * 5 + 2, 4, normPix: true);
        Assert.True(targets.mean([-1]).abs().max().item<float>() < 1e-5);
        Assert.True((targets.var(-1) - 1).abs().max().item<float>() < 1e-3);
    }

    [Theory]
    [InlineData("mean")]
    [InlineData("cls")]
    public void TheEncoderGivesFeaturesForEveryImageFromAllPatches(string features)
    {
        using var scope = NewDisposeScope();
        using var task = new MaeTask(new MaskedAutoencoder(Tiny(features)));
        IPretrainedEncoder encoder = task;
        encoder.Encoder.eval();
        var f = encoder.Encoder.call(randn(5, 1, 8, 8));
        Assert.Equal([5, encoder.FeatureCount], f.shape);
        Assert.Equal(16, encoder.FeatureCount);
        // Every patch counts: changing one corner patch changes the features.
        var x = randn(1, 1, 8, 8);
        var y = x.clone();
        y[0, 0, 0, 0] += 3;
        Assert.False(encoder.Encoder.call(x).allclose(encoder.Encoder.call(y)));
        // The encoder's parameters are the autoencoder's own (what training updates is what the probe reads).
        Assert.Subset(task.Model.named_parameters().Select(p => p.name).ToHashSet(), encoder.Encoder.named_parameters().Select(p => "encoder." + p.name).ToHashSet());
    }

    [Fact]
    public void TheEncoderHasTheRegistryViTsParameterNamesAndShapes()
    {
        var options = Tiny() with { ImageSize = 32, Channels = 3, PatchSize = 4, EmbedDim = 12, Depth = 2, Heads = 3 };
        using var encoder = new MaeEncoder(options);
        using var vit = ModelRegistry.Create("vit-tiny-cifar", new ModelOptions { NumClasses = 0, InChannels = 3, InputSize = 32, PatchSize = 4, EmbedDim = 12, Depth = 2, Heads = 3 });
        var vitState = vit.state_dict();
        var mine = encoder.state_dict();
        Assert.Equal(vitState.Keys.Order(), mine.Keys.Order());
        foreach (var (name, t) in mine) Assert.Equal(vitState[name].shape, t.shape);
        // Position embeddings are fixed sine-cosine, not trained.
        Assert.False(encoder.named_parameters().First(p => p.name == "embed.pos_embed").parameter.requires_grad);
    }

    [Fact]
    public void TheReconstructionKeepsVisiblePatchesAndHidesTheOthers()
    {
        using var scope = NewDisposeScope();
        using var task = new MaeTask(new MaskedAutoencoder(Tiny()));
        var images = randn(3, 1, 8, 8);
        var (masked, reconstruction, original) = task.Reconstruct(images, seed: 5);
        Assert.True(original.allclose(images));
        var removed = Patches.Patchify(masked, 2).abs().sum([-1]).eq(0); // hidden patches are zeros
        Assert.Equal(3 * 12, removed.sum().item<long>());
        var visible = removed.logical_not().unsqueeze(-1);
        Assert.True(Same(Patches.Patchify(reconstruction, 2).masked_select(visible), Patches.Patchify(images, 2).masked_select(visible)));
        Assert.True(task.Model.training);
        // The same seed, the same masks.
        Assert.True(Same(task.Reconstruct(images, 5).Masked, masked));
    }
}
