using Kindling.Data.Transforms;
using static TorchSharp.torch;

namespace Kindling.Tests.Data.Transforms;

public class ErasingTests
{
    public ErasingTests() => TestImages.EnsureLoaded();

    static int ErasedCount(Tensor before, Tensor after, float value)
    {
        var a = TestImages.Floats(before);
        var b = TestImages.Floats(after);
        return Enumerable.Range(0, a.Length).Count(i => a[i] != b[i] && b[i] == value);
    }

    [Fact]
    public void ErasedAreaIsWithinTheAskedScaleRange()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.RandomFloat(1, 40, 40, 7) * 0.9 + 0.05; // never exactly the value
        var erase = new RandomErasing(p: 1, scale: (0.05, 0.2), ratio: (0.5, 2), value: 1);
        var fractions = new List<double>();
        for (int s = 0; s < 100; s++)
        {
            var y = erase.Apply(x, new Random(s));
            fractions.Add(ErasedCount(x, y, 1f) / 1600.0);
        }
        // h and w are rounded, so the area can leave the range by a row or a column.
        Assert.All(fractions, f => Assert.InRange(f, 0.05 * 0.8, 0.2 * 1.2));
        Assert.True(fractions.Max() - fractions.Min() > 0.08, "the area should vary over the range");
    }

    [Fact]
    public void ErasedBoxIsOneRectangleOfTheValue()
    {
        using var scope = NewDisposeScope();
        var x = full(3, 20, 20, 0.5f);
        var y = new RandomErasing(p: 1, value: 0).Apply(x, new Random(11));
        var mask = (y[0] == 0);
        var rows = mask.any(1).nonzero().flatten();
        var cols = mask.any(0).nonzero().flatten();
        long h = rows.numel(), w = cols.numel();
        Assert.Equal(h * w, mask.sum().item<long>());
        Assert.Equal(rows[-1].item<long>() - rows[0].item<long>() + 1, h);
        Assert.Equal(3 * h * w, (y == 0).sum().item<long>());
    }

    [Fact]
    public void ProbabilityZeroSkipsAndInputIsNotModified()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.RandomFloat(3, 10, 10, 1);
        var copy = x.clone();
        Assert.Same(x, new RandomErasing(p: 0).Apply(x, new Random(1)));
        var y = new RandomErasing(p: 1).Apply(x, new Random(1));
        Assert.True(TestImages.Same(copy, x));
        Assert.False(TestImages.Same(x, y));
        new RandomErasing(p: 1, inplace: true).Apply(x, new Random(1));
        Assert.True(TestImages.Same(x, y));
    }

    [Fact]
    public void PerChannelAndRandomValues()
    {
        using var scope = NewDisposeScope();
        var x = full(3, 16, 16, 0.5f);
        var y = new RandomErasing(1, null, null, new[] { 0.1, 0.2, 0.3 }).Apply(x, new Random(2));
        for (int c = 0; c < 3; c++)
        {
            var changed = y[c][y[c] != 0.5f];
            Assert.True(changed.numel() > 0);
            Assert.Equal(new[] { 0.1f, 0.2f, 0.3f }[c], changed.unique().output.item<float>(), 6);
        }
        var r = RandomErasing.WithRandomValue(p: 1).Apply(x, new Random(2));
        var noise = r[r != 0.5f];
        Assert.True(noise.numel() > 20);
        Assert.InRange(noise.std().item<float>(), 0.5, 1.5);
        Assert.Throws<ArgumentException>(() => new RandomErasing(1, null, null, new[] { 0.1, 0.2 }).Apply(x, new Random(2)));
    }

    [Fact]
    public void NoFittingBoxLeavesTheImage()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.RandomFloat(3, 10, 10, 1);
        Assert.Null(RandomErasing.GetParams(10, 10, (0.99, 1.0), (1, 1), new Random(0)));
        Assert.True(TestImages.Same(x, new RandomErasing(p: 1, scale: (0.99, 1.0), ratio: (1, 1)).Apply(x, new Random(0))));
    }

    [Fact]
    public void CutoutErasesOneClippedSquare()
    {
        using var scope = NewDisposeScope();
        var x = full(1, 12, 12, 0.5f);
        var areas = new HashSet<long>();
        for (int s = 0; s < 100; s++)
        {
            var draws = new Random(s);
            draws.NextDouble(); // the p draw comes first
            var (top, left, h, w) = Cutout.GetParams(12, 12, 6, draws);
            Assert.InRange(h, 3, 6);
            Assert.InRange(w, 3, 6);
            Assert.InRange(top, 0, 12 - h);
            var y = new Cutout(6).Apply(x, new Random(s));
            long erased = (y == 0).sum().item<long>();
            Assert.Equal(h * w, erased);
            areas.Add(erased);
        }
        Assert.Contains(36L, areas); // whole squares inside
        Assert.True(areas.Min() < 36, "squares near the border are clipped");
    }
}
