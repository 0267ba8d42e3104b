using Kindling.Data.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Data.Transforms;

public class GeometricTransformTests
{
    public GeometricTransformTests() => TestImages.EnsureLoaded();

    [Fact]
    public void HorizontalFlipReversesColumnsExactly()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.Ramp(2, 3, 4);
        var y = new RandomHorizontalFlip(p: 1).Apply(x, new Random(1));
        var a = TestImages.Bytes(x);
        var b = TestImages.Bytes(y);
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    Assert.Equal(a[c * 12 + i * 4 + j], b[c * 12 + i * 4 + (3 - j)]);
        Assert.Same(x, new RandomHorizontalFlip(p: 0).Apply(x, new Random(1)));
    }

    [Fact]
    public void VerticalFlipReversesRowsExactly()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.Ramp(2, 3, 4);
        var y = new RandomVerticalFlip(p: 1).Apply(x, new Random(1));
        var a = TestImages.Bytes(x);
        var b = TestImages.Bytes(y);
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    Assert.Equal(a[c * 12 + i * 4 + j], b[c * 12 + (2 - i) * 4 + j]);
    }

    [Fact]
    public void FlipAtHalfFlipsAboutHalfTheSamples()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.Ramp(1, 2, 2);
        var flip = new RandomHorizontalFlip();
        int flipped = Enumerable.Range(0, 400).Count(s => !TestImages.Same(x, flip.Apply(x, new Random(s))));
        Assert.InRange(flipped, 150, 250);
    }

    /// <summary>Finds where <paramref name="crop"/> sits in <paramref name="padded"/>; null when it is no window of it.</summary>
    static (int, int)? WindowOf(Tensor padded, Tensor crop)
    {
        int ph = (int)padded.shape[1], pw = (int)padded.shape[2], h = (int)crop.shape[1], w = (int)crop.shape[2];
        for (int i = 0; i + h <= ph; i++)
            for (int j = 0; j + w <= pw; j++)
                if (TestImages.Same(padded.narrow(1, i, h).narrow(2, j, w), crop)) return (i, j);
        return null;
    }

    [Fact]
    public void RandomCropIsAWindowOfTheZeroPaddedImageAndCoversAllOffsets()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.Ramp(3, 8, 8) + 1; // no zeros inside, so the padding shows
        var crop = new RandomCrop(8, padding: new[] { 2 });
        var padded = nn.functional.pad(x, new long[] { 2, 2, 2, 2 });
        var seen = new HashSet<(int, int)>();
        for (int s = 0; s < 300; s++)
        {
            var y = crop.Apply(x, new Random(s));
            Assert.Equal(new long[] { 3, 8, 8 }, y.shape);
            var at = WindowOf(padded, y);
            Assert.NotNull(at);
            seen.Add(at!.Value);
        }
        Assert.Equal(25, seen.Count); // every offset in 0..4 x 0..4
    }

    [Fact]
    public void ReflectPaddingMirrorsWithoutRepeatingTheEdge()
    {
        using var scope = NewDisposeScope();
        var row = tensor(new byte[] { 1, 2, 3, 4 }, new long[] { 1, 1, 4 });
        Assert.Equal(new byte[] { 3, 2, 1, 2, 3, 4, 3, 2 }, TestImages.Bytes(ImageGeometry.Pad(row, 2, 0, 2, 0, mode: PaddingMode.Reflect)));
        Assert.Equal(new byte[] { 2, 1, 1, 2, 3, 4, 4, 3 }, TestImages.Bytes(ImageGeometry.Pad(row, 2, 0, 2, 0, mode: PaddingMode.Symmetric)));
        Assert.Equal(new byte[] { 1, 1, 1, 2, 3, 4, 4, 4 }, TestImages.Bytes(ImageGeometry.Pad(row, 2, 0, 2, 0, mode: PaddingMode.Edge)));
        Assert.Equal(new byte[] { 7, 7, 1, 2, 3, 4, 7, 7 }, TestImages.Bytes(ImageGeometry.Pad(row, 2, 0, 2, 0, fill: 7)));
    }

    [Fact]
    public void ReflectRandomCropIsAWindowOfTheReflectPaddedImage()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.Ramp(2, 5, 6);
        var padded = ImageGeometry.Pad(x, 3, 3, 3, 3, mode: PaddingMode.Reflect);
        var crop = new RandomCrop((5, 6), padding: new[] { 3 }, paddingMode: PaddingMode.Reflect);
        for (int s = 0; s < 20; s++) Assert.NotNull(WindowOf(padded, crop.Apply(x, new Random(s))));
    }

    [Fact]
    public void PadIfNeededGrowsSmallImagesAndTooLargeCropsSayWhy()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.Ramp(1, 3, 3);
        Assert.Equal(new long[] { 1, 5, 4 }, new RandomCrop((5, 4), padIfNeeded: true).Apply(x, new Random(0)).shape);
        var e = Assert.Throws<ArgumentException>(() => new RandomCrop(5).Apply(x, new Random(0)));
        Assert.Contains("padIfNeeded", e.Message);
    }

    [Fact]
    public void RotationBy90WithNearestMatchesRot90()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.Ramp(3, 6, 6);
        var left = new RandomRotation((90, 90)).Apply(x, new Random(0));
        Assert.True(TestImages.Same(x.rot90(1, (1, 2)), left));
        var right = new RandomRotation((-90, -90)).Apply(x, new Random(0));
        Assert.True(TestImages.Same(x.rot90(-1, (1, 2)), right));
    }

    [Fact]
    public void RotationAnglesStayInRange()
    {
        using var scope = NewDisposeScope();
        // A bright 3x3 blob right of the centre moves along a circle; the angle of its centroid is the drawn angle.
        var pixels = new float[21 * 21];
        for (int i = 9; i <= 11; i++)
            for (int j = 16; j <= 18; j++) pixels[i * 21 + j] = 1;
        var x = tensor(pixels, new long[] { 1, 21, 21 });
        var rot = new RandomRotation(30, Interpolation.Nearest);
        var angles = new List<double>();
        for (int s = 0; s < 40; s++)
        {
            var y = TestImages.Floats(rot.Apply(x, new Random(s)));
            double sy = 0, sx = 0, n = 0;
            for (int k = 0; k < y.Length; k++) { sy += y[k] * (10 - k / 21); sx += y[k] * (k % 21 - 10); n += y[k]; }
            angles.Add(Math.Atan2(sy / n, sx / n) * 180 / Math.PI); // counter-clockwise, y up
        }
        Assert.All(angles, a => Assert.InRange(a, -30 - 4, 30 + 4)); // nearest sampling moves the centroid a little
        Assert.True(angles.Min() < -15 && angles.Max() > 15, "angles should spread over [-30, 30]");
    }

    [Fact]
    public void RandomResizedCropDrawsWithinScaleAndRatioAndFallsBackToTheCentre()
    {
        for (int s = 0; s < 200; s++)
        {
            var (top, left, h, w) = RandomResizedCrop.GetParams(40, 50, (0.08, 1.0), (3.0 / 4, 4.0 / 3), new Random(s));
            Assert.InRange(top, 0, 40 - h);
            Assert.InRange(left, 0, 50 - w);
            Assert.InRange(h * w, 0.08 * 2000 * 0.8, 2000);
        }
        // No try can fit a box of 4x the image's area: the fallback is the central crop of the clamped ratio.
        Assert.Equal((0, 10, 20, 30), RandomResizedCrop.GetParams(20, 50, (4, 5), (1.0, 1.5), new Random(0)));
        Assert.Equal((0, 0, 20, 50), RandomResizedCrop.GetParams(20, 50, (4, 5), (1.0, 3.0), new Random(0)));
        using var scope = NewDisposeScope();
        var y = new RandomResizedCrop(16).Apply(TestImages.RandomU8(3, 40, 50, 1), new Random(3));
        Assert.Equal(new long[] { 3, 16, 16 }, y.shape);
        Assert.Equal(ScalarType.Byte, y.dtype);
    }

    [Fact]
    public void ResizeMatchesTheShorterSideAndCenterCropTakesTheMiddle()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.RandomFloat(3, 20, 30, 2);
        Assert.Equal(new long[] { 3, 10, 15 }, new Resize(10).Apply(x, new Random(0)).shape);
        Assert.Equal(new long[] { 3, 7, 9 }, new Resize((7, 9)).Apply(x, new Random(0)).shape);
        var c = new CenterCrop((10, 12)).Apply(x, new Random(0));
        Assert.True(TestImages.Same(x.narrow(1, 5, 10).narrow(2, 9, 12), c));
    }
}
