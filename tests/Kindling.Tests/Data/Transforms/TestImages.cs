using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Data.Transforms;

/// <summary>Small known images and tensor-to-array helpers for the transform tests.</summary>
internal static class TestImages
{
    /// <summary>Loads libtorch through Kindling's loader (with its compatibility fix) before any tensor is made.</summary>
    public static void EnsureLoaded() => TorchRuntime.EnsureLoaded();

    /// <summary>A [C,H,W] uint8 image whose value at (c,y,x) is (c*H*W + y*W + x) mod 256: every pixel distinct when C*H*W &lt;= 256.</summary>
    public static Tensor Ramp(int c, int h, int w) =>
        arange(c * h * w, dtype: ScalarType.Int64).remainder(256).to_type(ScalarType.Byte).view(c, h, w);

    /// <summary>A seeded random uint8 image.</summary>
    public static Tensor RandomU8(int c, int h, int w, int seed)
    {
        var rng = new Random(seed);
        var bytes = new byte[c * h * w];
        rng.NextBytes(bytes);
        return tensor(bytes, new long[] { c, h, w });
    }

    public static Tensor RandomFloat(int c, int h, int w, int seed) => RandomU8(c, h, w, seed).to_type(ScalarType.Float32) / 255.0;

    public static float[] Floats(Tensor t) => t.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();

    public static byte[] Bytes(Tensor t) => t.contiguous().data<byte>().ToArray();

    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && Floats(a).SequenceEqual(Floats(b));
}
