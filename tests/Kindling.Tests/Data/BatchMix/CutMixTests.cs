using Kindling.Data.BatchMix;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Data.BatchMix;

public class CutMixTests
{
    public CutMixTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void BoxComesFromThePermutedBatchAndLambdaIsOneMinusItsArea()
    {
        using var scope = NewDisposeScope();
        const int n = 6, h = 10, w = 14;
        // Each image is constant at its own index, so every pixel says which image it came from.
        var x = arange(n, dtype: ScalarType.Float32).view(n, 1, 1, 1).expand(n, 2, h, w).contiguous();
        var y = arange(n, dtype: ScalarType.Int64);
        var original = x.clone();
        int partial = 0;
        for (int s = 0; s < 50; s++)
        {
            var m = new CutMix(alpha: 1).Apply(x, y, new Random(s));
            Assert.True(original.equal(x).all().item<bool>(), "the input batch is not modified");
            var partner = m.TargetsB.data<long>().ToArray();
            var images = m.Images.data<float>().ToArray();
            for (int i = 0; i < n; i++)
            {
                int fromPartner = 0, fromSelf = 0;
                for (int k = 0; k < 2 * h * w; k++)
                {
                    float v = images[i * 2 * h * w + k];
                    if (v == i) fromSelf++;
                    else if (v == partner[i]) fromPartner++;
                    else Assert.Fail($"pixel {k} of image {i} is {v}: from neither the image nor its partner {partner[i]}");
                }
                if (partner[i] != i)
                    Assert.Equal(1 - fromPartner / (2.0 * h * w), m.Lambda, 12);
            }
            if (m.Lambda is > 0 and < 1) partial++;
        }
        Assert.True(partial > 30);
    }

    [Fact]
    public void RandBoxFollowsTheSeed()
    {
        // lambda 0.75: cut ratio 0.5, a 5x7 cut centred uniformly and clipped.
        for (int s = 0; s < 200; s++)
        {
            var rng = new Random(s);
            var (x1, y1, x2, y2) = CutMix.RandBox(10, 14, 0.75, rng);
            var check = new Random(s);
            int cx = check.Next(14), cy = check.Next(10);
            Assert.Equal((Math.Clamp(cx - 3, 0, 14), Math.Clamp(cy - 2, 0, 10), Math.Clamp(cx + 3, 0, 14), Math.Clamp(cy + 2, 0, 10)), (x1, y1, x2, y2));
        }
    }

    [Fact]
    public void SwitchProbPicksCutMixOrMixupAndProbZeroLeavesTheBatch()
    {
        using var scope = NewDisposeScope();
        var x = rand(new long[] { 4, 1, 8, 8 }, generator: new torch.Generator(3));
        var y = arange(4, dtype: ScalarType.Int64);
        var always = new MixupOrCutMix(switchProb: 1.0).Apply(x, y, new Random(1));
        var distinct = always.Images.flatten().unique().output.numel();
        Assert.True(distinct <= x.numel(), "CutMix copies pixels, it makes no new values");
        var none = new MixupOrCutMix(prob: 0).Apply(x, y, new Random(1));
        Assert.Equal(1.0, none.Lambda);
        Assert.Same(x, none.Images);
        int cut = 0;
        var pick = new MixupOrCutMix(switchProb: 0.5);
        for (int s = 0; s < 200; s++)
        {
            var m = pick.Apply(x, y, new Random(s));
            // A mixup blend of distinct random pixels makes values that are in neither image.
            if (m.Images.isin(x).all().item<bool>()) cut++;
        }
        Assert.InRange(cut, 70, 130);
    }
}
