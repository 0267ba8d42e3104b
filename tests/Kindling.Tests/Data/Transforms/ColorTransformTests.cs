using Kindling.Data.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Data.Transforms;

public class ColorTransformTests
{
    public ColorTransformTests() => TestImages.EnsureLoaded();

    [Fact]
    public void ToTensorScalesUInt8ToUnitRange()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new byte[] { 0, 51, 255 }, new long[] { 3, 1, 1 });
        var y = new ToTensor().Apply(x, new Random(0));
        Assert.Equal(ScalarType.Float32, y.dtype);
        Assert.Equal(new[] { 0f, 0.2f, 1f }, TestImages.Floats(y));
        Assert.Same(y, new ToTensor().Apply(y, new Random(0)));
    }

    [Fact]
    public void NormalizeIsPerChannelAndNamesChannelMismatches()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.RandomFloat(3, 4, 4, 5);
        double[] m = { 0.1, 0.5, 0.9 }, s = { 0.2, 0.3, 0.4 };
        var y = TestImages.Floats(new Normalize(m, s).Apply(x, new Random(0)));
        var a = TestImages.Floats(x);
        for (int i = 0; i < a.Length; i++) Assert.Equal((a[i] - m[i / 16]) / s[i / 16], y[i], 5);
        var e = Assert.Throws<ArgumentException>(() => new Normalize(m, s).Apply(TestImages.RandomFloat(1, 4, 4, 5), new Random(0)));
        Assert.Contains("1 channels", e.Message);
        Assert.Throws<ArgumentException>(() => new Normalize(m, new[] { 1.0 }));
        Assert.Throws<ArgumentException>(() => new Normalize(m, s).Apply(TestImages.RandomU8(3, 2, 2, 0), new Random(0)));
    }

    [Fact]
    public void BrightnessJitterScalesTheMeanWithinTheFactorRange()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.RandomFloat(3, 8, 8, 3) * 0.5; // no clamping at 1 + b
        double mean = x.mean().item<float>();
        var jitter = new ColorJitter(brightness: 0.4);
        var ratios = Enumerable.Range(0, 200).Select(s => jitter.Apply(x, new Random(s)).mean().item<float>() / mean).ToArray();
        Assert.All(ratios, r => Assert.InRange(r, 0.6 - 1e-5, 1.4 + 1e-5));
        Assert.True(ratios.Min() < 0.7 && ratios.Max() > 1.3, "the factors should spread over [0.6, 1.4]");
        Assert.InRange(ratios.Average(), 0.93, 1.07);
    }

    [Fact]
    public void ColorJitterKeepsShapeDtypeAndRange()
    {
        using var scope = NewDisposeScope();
        var jitter = new ColorJitter(0.4, 0.4, 0.4, 0.1);
        foreach (var x in new[] { TestImages.RandomU8(3, 6, 6, 1), TestImages.RandomFloat(3, 6, 6, 1) })
            for (int s = 0; s < 10; s++)
            {
                var y = jitter.Apply(x, new Random(s));
                Assert.Equal(x.shape, y.shape);
                Assert.Equal(x.dtype, y.dtype);
                Assert.InRange(y.to_type(ScalarType.Float32).max().item<float>(), 0, x.is_floating_point() ? 1 : 255);
            }
        Assert.Throws<ArgumentOutOfRangeException>(() => new ColorJitter(hue: 0.6));
        Assert.Null(new ColorJitter(brightness: 0).Brightness);
        Assert.Equal((0.0, 2.5), new ColorJitter(contrast: 1.5).Contrast);
    }

    [Fact]
    public void ContrastBlendsWithTheGrayscaleMeanAndSaturationWithGrayscale()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.RandomFloat(3, 5, 5, 9);
        var gray = ImageColor.Grayscale(x);
        // The mean agrees to float precision: torch's reduction sums in its own order (see PixelColor.Contrast).
        Assert.Equal(TestImages.Floats(gray.mean().expand(3, 5, 5).contiguous()), TestImages.Floats(ImageColor.AdjustContrast(x, 0)), new ToleranceComparer(1e-7));
        Assert.True(TestImages.Same(gray.expand(3, 5, 5).contiguous(), ImageColor.AdjustSaturation(x, 0)));
        Assert.Equal(TestImages.Floats(x), TestImages.Floats(ImageColor.AdjustHue(x, 0)), new ToleranceComparer(1e-6));
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(float v) => 0;
    }

    [Fact]
    public void GrayscaleHasEqualChannelsWithItuR601Weights()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f }, new long[] { 3, 1, 3 });
        var y = new RandomGrayscale(p: 1).Apply(x, new Random(0));
        Assert.Equal(new long[] { 3, 1, 3 }, y.shape);
        var v = TestImages.Floats(y);
        Assert.Equal(new[] { 0.2989f, 0.587f, 0.114f, 0.2989f, 0.587f, 0.114f, 0.2989f, 0.587f, 0.114f }, v);
        Assert.Same(x, new RandomGrayscale(p: 0).Apply(x, new Random(0)));
    }

    [Fact]
    public void GaussianNoiseHasTheAskedStatisticsAndClips()
    {
        using var scope = NewDisposeScope();
        var x = full(1, 64, 64, 0.5f);
        var d = new GaussianNoise(mean: 0.01, sigma: 0.1).Apply(x, new Random(3)) - x;
        Assert.InRange(d.mean().item<float>(), 0.005, 0.015);
        Assert.InRange(d.std().item<float>(), 0.095, 0.105);
        var clipped = new GaussianNoise(sigma: 2).Apply(x, new Random(3));
        Assert.InRange(clipped.min().item<float>(), 0, 1);
        Assert.InRange(clipped.max().item<float>(), 0, 1);
        Assert.Throws<ArgumentException>(() => new GaussianNoise().Apply(TestImages.RandomU8(1, 2, 2, 0), new Random(0)));
    }

    [Fact]
    public void GaussianBlurKeepsConstantImagesAndSmoothsNoise()
    {
        using var scope = NewDisposeScope();
        var flat = full(3, 8, 8, 0.3f);
        Assert.Equal(TestImages.Floats(flat), TestImages.Floats(new GaussianBlur(5).Apply(flat, new Random(1))), new ToleranceComparer(1e-6));
        var x = TestImages.RandomFloat(3, 16, 16, 4);
        var y = new GaussianBlur(5, (1.5, 2.0)).Apply(x, new Random(1));
        Assert.True(y.std().item<float>() < 0.6 * x.std().item<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianBlur(4));
    }
}
