using Kindling.Data.BatchMix;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Data.BatchMix;

public class MixupTests
{
    public MixupTests() => TorchRuntime.EnsureLoaded();

    static (Tensor Images, Tensor Labels) Batch(int n = 8)
    {
        var gen = new torch.Generator(7);
        return (rand(new long[] { n, 3, 6, 6 }, generator: gen), arange(n, dtype: ScalarType.Int64) * 10);
    }

    static long[] Longs(Tensor t) => t.data<long>().ToArray();

    [Fact]
    public void ImagesAreTheLambdaBlendWithThePermutedBatch()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Batch();
        for (int s = 0; s < 10; s++)
        {
            var m = new Mixup(alpha: 0.4).Apply(x, y, new Random(s));
            Assert.InRange(m.Lambda, 0, 1);
            Assert.Equal(Longs(y), Longs(m.TargetsA));
            var perm = Longs(m.TargetsB).Select(v => v / 10).ToArray();
            Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), perm.OrderBy(v => v));
            var expected = m.Lambda * x + (1 - m.Lambda) * x.index_select(0, tensor(perm));
            Assert.True(expected.allclose(m.Images, rtol: 0, atol: 1e-6));
        }
    }

    [Fact]
    public void AlphaZeroDoesNotMixAndLambdaFollowsBeta()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Batch();
        var none = new Mixup(alpha: 0).Apply(x, y, new Random(1));
        Assert.Equal(1.0, none.Lambda);
        Assert.True(none.Images.allclose(x));
        // Beta(0.2, 0.2) is U-shaped: most draws are near 0 or 1; Beta(1, 1) is uniform, mean 1/2.
        var rng = new Random(5);
        var small = Enumerable.Range(0, 4000).Select(_ => new Mixup(0.2).Apply(x, y, rng).Lambda).ToArray();
        Assert.True(small.Count(l => l < 0.1 || l > 0.9) > 0.55 * small.Length);
        var uniform = Enumerable.Range(0, 4000).Select(_ => new Mixup(1.0).Apply(x, y, rng).Lambda).ToArray();
        Assert.InRange(uniform.Average(), 0.47, 0.53);
        Assert.InRange(uniform.Count(l => l < 0.25) / 4000.0, 0.22, 0.28);
    }

    [Fact]
    public void SameSeedSameMix()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Batch();
        var a = new Mixup().Apply(x, y, new Random(3));
        var b = new Mixup().Apply(x, y, new Random(3));
        Assert.Equal(a.Lambda, b.Lambda);
        Assert.Equal(Longs(a.TargetsB), Longs(b.TargetsB));
    }

    [Fact]
    public void LossIsTheLambdaWeightedSum()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Batch(4);
        var m = new Mixup().Apply(x, y % 3, new Random(2));
        var logits = randn(4, 3, generator: new torch.Generator(1));
        Tensor Ce(Tensor o, Tensor t) => nn.functional.cross_entropy(o, t);
        var expected = m.Lambda * Ce(logits, m.TargetsA).item<float>() + (1 - m.Lambda) * Ce(logits, m.TargetsB).item<float>();
        Assert.Equal(expected, m.Loss(Ce, logits).item<float>(), 5);
    }

    [Fact]
    public void BadBatchesAreNamed()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Batch();
        Assert.Throws<ArgumentException>(() => new Mixup().Apply(x[0], y, new Random(0)));
        Assert.Throws<ArgumentException>(() => new Mixup().Apply(x, y.narrow(0, 0, 3), new Random(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Mixup(-1));
    }
}
