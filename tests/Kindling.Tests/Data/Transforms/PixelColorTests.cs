using Kindling.Data.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Data.Transforms;

/// <summary>
/// The one-pass colour ops (<see cref="PixelColor"/>, which <see cref="ImageColor"/> uses for RGB uint8 and float32 CPU
/// images) against the tensor ops they replace there, on 32x32 images with grey, black and white pixels among random
/// ones. torchvision agreement itself is <see cref="TorchvisionFixtureTests"/>, which now runs through the pixel path.
/// </summary>
public class PixelColorTests
{
    public PixelColorTests() => TestImages.EnsureLoaded();

    public static TheoryData<string, double> Cases() => new()
    {
        { "brightness", 0.6 }, { "brightness", 1.4 }, { "contrast", 0.6 }, { "contrast", 1.4 }, { "saturation", 0.0 },
        { "saturation", 0.6 }, { "saturation", 1.4 }, { "hue", -0.5 }, { "hue", -0.1 }, { "hue", 0.07 }, { "hue", 0.5 },
    };

    static Tensor Image(int seed)
    {
        var x = TestImages.RandomU8(3, 32, 32, seed);
        x[.., 0, ..] = tensor((byte)128);   // a grey row: max == min, where HSV divides by a stand-in one
        x[.., 1, 0] = tensor((byte)0);
        x[.., 1, 1] = tensor((byte)255);
        x[0, 2, ..] = tensor((byte)255);    // ties between channels at the maximum
        x[1, 2, ..] = tensor((byte)255);
        return x;
    }

    static (Tensor Pixel, Tensor Tensor) Both(string op, Tensor x, double f) => op switch
    {
        "brightness" => (PixelColor.Brightness(x, f), ImageColor.BrightnessByTensorOps(x, f)),
        "contrast" => (PixelColor.Contrast(x, f), ImageColor.ContrastByTensorOps(x, f)),
        "saturation" => (PixelColor.Saturation(x, f), ImageColor.SaturationByTensorOps(x, f)),
        "hue" => (PixelColor.Hue(x, f), ImageColor.HueByTensorOps(x, f)),
        _ => throw new ArgumentException(op),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void UInt8ImagesMatchTheTensorOpsExactly(string op, double factor)
    {
        using var scope = NewDisposeScope();
        for (int seed = 0; seed < 3; seed++)
        {
            var x = Image(seed);
            var before = TestImages.Bytes(x);
            var (pixel, byTensors) = Both(op, x, factor);
            Assert.Equal(ScalarType.Byte, pixel.dtype);
            Assert.Equal(x.shape, pixel.shape);
            Assert.Equal(TestImages.Bytes(byTensors), TestImages.Bytes(pixel));
            Assert.Equal(before, TestImages.Bytes(x)); // the input is left as it was
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32ImagesMatchTheTensorOpsToFloatPrecision(string op, double factor)
    {
        using var scope = NewDisposeScope();
        for (int seed = 0; seed < 3; seed++)
        {
            var x = Image(seed).to_type(ScalarType.Float32) / 255.0;
            var (pixel, byTensors) = Both(op, x, factor);
            Assert.Equal(ScalarType.Float32, pixel.dtype);
            var a = TestImages.Floats(byTensors);
            var b = TestImages.Floats(pixel);
            double worst = a.Zip(b, (p, q) => Math.Abs(p - q)).Max();
            // Only contrast's mean is summed in another order than torch's reduction; every other value is the same float.
            Assert.True(worst <= (op == "contrast" ? 1e-6 : 0), $"{op} {factor}: largest difference {worst}");
        }
    }

    [Theory]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Float32)]
    public void AdjustingAnImageMakesNoManagedCopyOfIt(ScalarType dtype)
    {
        // A loader thread adjusts thousands of images a second; a managed copy of each made it trigger most garbage
        // collections, which can free TorchSharp temporaries mid-call on the training thread (docs/ARCHITECTURE.md, "Threads").
        using var scope = NewDisposeScope();
        var x = dtype == ScalarType.Byte ? TestImages.RandomU8(3, 64, 64, 0) : TestImages.RandomFloat(3, 64, 64, 0);
        foreach (var op in new[] { "brightness", "contrast", "saturation", "hue" })
        {
            Both(op, x, 0.7); // first calls: the thread's buffer, the JIT
            const int calls = 20;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++)
                switch (op)
                {
                    case "brightness": PixelColor.Brightness(x, 0.7); break;
                    case "contrast": PixelColor.Contrast(x, 0.7); break;
                    case "saturation": PixelColor.Saturation(x, 0.7); break;
                    default: PixelColor.Hue(x, 0.07); break;
                }
            long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / calls;
            // A copy of the 3x64x64 image is 12 KiB as bytes, 48 KiB as floats; the tensors' wrappers are a few hundred bytes.
            Assert.True(perCall < 2048, $"{op} on {dtype}: {perCall} bytes allocated a call");
        }
    }

    [Fact]
    public void ImageColorTakesThePixelPathOnlyForRgbUInt8AndFloat32CpuImages()
    {
        using var scope = NewDisposeScope();
        Assert.True(PixelColor.Handles(TestImages.RandomU8(3, 4, 4, 0)));
        Assert.True(PixelColor.Handles(TestImages.RandomFloat(3, 4, 4, 0)));
        Assert.False(PixelColor.Handles(TestImages.RandomU8(1, 4, 4, 0)));
        Assert.False(PixelColor.Handles(TestImages.RandomFloat(3, 4, 4, 0).to_type(ScalarType.Float64)));
        Assert.False(PixelColor.Handles(TestImages.RandomU8(3, 4, 4, 0).unsqueeze(0)));
        // A non-contiguous view is read in its logical order.
        var x = TestImages.RandomU8(3, 6, 5, 1);
        var view = x.transpose(1, 2);
        Assert.Equal(TestImages.Bytes(ImageColor.HueByTensorOps(view, 0.2)), TestImages.Bytes(ImageColor.AdjustHue(view, 0.2)));
    }
}
