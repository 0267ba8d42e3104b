using Kindling.Data.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Data.Transforms;

public class AutoAugmentTests
{
    public AutoAugmentTests() => TestImages.EnsureLoaded();

    public static IEnumerable<object[]> Ops() => AugmentOps.All.Select(op => new object[] { op });

    [Theory]
    [MemberData(nameof(Ops))]
    public void EveryOpKeepsShapeAndDtypeOnUInt8AndFloat(AugmentOp op)
    {
        using var scope = NewDisposeScope();
        foreach (var x in new[] { TestImages.RandomU8(3, 12, 10, 4), TestImages.RandomFloat(3, 12, 10, 4) })
            foreach (var m in new[] { AugmentOps.RandAugmentMagnitude(op, 9, 31, 12, 10), -AugmentOps.TrivialAugmentWideMagnitude(op, 30, 31) })
            {
                var y = AugmentOps.Apply(x, op, AugmentOps.IsSigned(op) ? m : Math.Abs(m), Interpolation.Bilinear, new[] { 0.5 });
                Assert.Equal(x.shape, y.shape);
                Assert.Equal(x.dtype, y.dtype);
            }
    }

    [Fact]
    public void MagnitudeTablesFollowTorchvision()
    {
        Assert.Equal(0.09, AugmentOps.RandAugmentMagnitude(AugmentOp.ShearX, 9, 31, 32, 32), 9);
        Assert.Equal(150.0 / 331 * 32 * 9 / 30, AugmentOps.RandAugmentMagnitude(AugmentOp.TranslateX, 9, 31, 32, 32), 9);
        Assert.Equal(9.0, AugmentOps.RandAugmentMagnitude(AugmentOp.Rotate, 9, 31, 32, 32), 9);
        Assert.Equal(0.27, AugmentOps.RandAugmentMagnitude(AugmentOp.Brightness, 9, 31, 32, 32), 9);
        Assert.Equal(7, AugmentOps.RandAugmentMagnitude(AugmentOp.Posterize, 9, 31, 32, 32)); // 8 - round(9 / 7.5)
        Assert.Equal(4, AugmentOps.RandAugmentMagnitude(AugmentOp.Posterize, 30, 31, 32, 32));
        Assert.Equal(178.5, AugmentOps.RandAugmentMagnitude(AugmentOp.Solarize, 9, 31, 32, 32), 9);
        Assert.Equal(135.0, AugmentOps.TrivialAugmentWideMagnitude(AugmentOp.Rotate, 30, 31), 9);
        Assert.Equal(32.0, AugmentOps.TrivialAugmentWideMagnitude(AugmentOp.TranslateY, 30, 31), 9);
        Assert.Equal(2, AugmentOps.TrivialAugmentWideMagnitude(AugmentOp.Posterize, 30, 31));
        Assert.Equal(14, AugmentOps.All.Count);
        Assert.False(AugmentOps.IsSigned(AugmentOp.Solarize));
        Assert.True(AugmentOps.IsSigned(AugmentOp.Contrast));
    }

    [Fact]
    public void RandAugmentAndTrivialAugmentAreDeterministicPerSeedAndVaryAcrossSeeds()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.RandomU8(3, 16, 16, 8);
        foreach (ISampleTransform t in new ISampleTransform[] { new RandAugment(), new TrivialAugmentWide(), new RandAugment(3, 15, fill: new[] { 128.0 }) })
        {
            var outputs = Enumerable.Range(0, 12).Select(s => t.Apply(x, new Random(s))).ToArray();
            foreach (var (y, s) in outputs.Select((y, s) => (y, s)))
            {
                Assert.Equal(x.shape, y.shape);
                Assert.Equal(ScalarType.Byte, y.dtype);
                Assert.True(TestImages.Same(y, t.Apply(x, new Random(s))));
            }
            int distinct = outputs.Select(y => string.Join(",", TestImages.Bytes(y))).Distinct().Count();
            Assert.True(distinct >= 6, $"{t.GetType().Name}: only {distinct} distinct outputs from 12 seeds");
        }
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandAugment(magnitude: 31));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrivialAugmentWide(numMagnitudeBins: 1));
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => ImageColor.Posterize(TestImages.RandomFloat(3, 2, 2, 0), 4));
        Assert.Contains("uint8", e.Message);
    }
}
