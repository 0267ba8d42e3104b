using System.Text.Json;
using Kindling.Data.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Data.Transforms;

/// <summary>Kindling's deterministic image ops against torchvision 0.14 on a fixed 3x8x8 image
/// (fixture: Oracle/transforms/functional.json, made by Oracle/make_transform_fixtures.py).</summary>
public class TorchvisionFixtureTests
{
    public TorchvisionFixtureTests() => TestImages.EnsureLoaded();

    static readonly Lazy<JsonElement> Fixture = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Oracle", "transforms", "functional.json"))).RootElement);

    public static IEnumerable<object[]> Cases() =>
        Fixture.Value.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTorchvision(string name)
    {
        using var scope = NewDisposeScope();
        var root = Fixture.Value;
        var c = root.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var shape = root.GetProperty("inputs").GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        var source = c.GetProperty("input").GetString() == "flat" ? "flat" : "u8";
        var u8 = tensor(root.GetProperty("inputs").GetProperty(source).EnumerateArray().Select(v => (byte)v.GetInt32()).ToArray(), shape);
        var input = c.GetProperty("input").GetString() == "f32" ? u8.to_type(ScalarType.Float32) / 255.0 : u8;
        var p = c.GetProperty("params");

        var actual = Run(c.GetProperty("op").GetString()!, input, p);

        var expectedShape = c.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        Assert.Equal(expectedShape, actual.shape);
        bool isU8 = c.GetProperty("dtype").GetString() == "uint8";
        Assert.Equal(isU8 ? ScalarType.Byte : ScalarType.Float32, actual.dtype);
        var expected = c.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var got = TestImages.Floats(actual);
        // uint8: torchvision's float math then truncation can land one step away where a value is within
        // float rounding of an integer; everything else is exact.
        double tolerance = isU8 ? (Exact(name) ? 0 : 1) : 2e-5;
        int off = 0;
        for (int i = 0; i < expected.Length; i++)
            if (Math.Abs(expected[i] - got[i]) > tolerance + 1e-9) off++;
        Assert.True(off == 0, $"{name}: {off} of {expected.Length} values differ by more than {tolerance}; first at " +
            $"{Array.FindIndex(expected, i => true)}: expected [{string.Join(",", expected.Take(12))}] got [{string.Join(",", got.Take(12))}]");
    }

    static bool Exact(string name) =>
        name.StartsWith("posterize") || name.StartsWith("solarize") || name.StartsWith("equalize") || name.StartsWith("pad")
        || name.StartsWith("grayscale") || name.StartsWith("translate") || name.StartsWith("shear") || name.StartsWith("autocontrast")
        || name.StartsWith("brightness") || name.StartsWith("rotate_u8_30_nearest") || name.StartsWith("resize_u8_nearest");

    static Tensor Run(string op, Tensor x, JsonElement p)
    {
        double D(string k) => p.GetProperty(k).GetDouble();
        int I(string k) => p.GetProperty(k).GetInt32();
        Interpolation Interp() => p.GetProperty("interp").GetString() == "nearest" ? Interpolation.Nearest : Interpolation.Bilinear;
        double[]? Fill() => p.GetProperty("fill").ValueKind == JsonValueKind.Null ? null : p.GetProperty("fill").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        return op switch
        {
            "grayscale" => ImageColor.Grayscale(x),
            "brightness" => ImageColor.AdjustBrightness(x, D("factor")),
            "contrast" => ImageColor.AdjustContrast(x, D("factor")),
            "saturation" => ImageColor.AdjustSaturation(x, D("factor")),
            "hue" => ImageColor.AdjustHue(x, D("factor")),
            "sharpness" => ImageColor.AdjustSharpness(x, D("factor")),
            "autocontrast" => ImageColor.AutoContrast(x),
            "solarize" => ImageColor.Solarize(x, D("threshold")),
            "posterize" => ImageColor.Posterize(x, I("bits")),
            "equalize" => ImageColor.Equalize(x),
            "blur" => ImageColor.GaussianBlur(x, I("kx"), I("ky"), D("sx"), D("sy")),
            "pad" => ImageGeometry.Pad(x, I("left"), I("top"), I("right"), I("bottom"), D("fill"), p.GetProperty("mode").GetString() switch
            {
                "reflect" => PaddingMode.Reflect,
                "symmetric" => PaddingMode.Symmetric,
                "edge" => PaddingMode.Edge,
                _ => PaddingMode.Constant,
            }),
            "rotate" => ImageGeometry.Rotate(x, D("angle"), Interp(), p.GetProperty("expand").GetBoolean(), Fill()),
            "affine" => ImageGeometry.Affine(x, D("angle"), D("tx"), D("ty"), D("scale"), D("shx"), D("shy"), Interp(), Fill(),
                p.GetProperty("center").ValueKind == JsonValueKind.Null ? null
                    : (p.GetProperty("center")[0].GetDouble(), p.GetProperty("center")[1].GetDouble())),
            "resize" => ImageGeometry.Resize(x, I("h"), I("w"), Interp(), p.GetProperty("antialias").GetBoolean()),
            "center_crop" => ImageGeometry.CenterCrop(x, I("h"), I("w")),
            "normalize" => new Normalize(p.GetProperty("mean").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
                p.GetProperty("std").EnumerateArray().Select(v => v.GetDouble()).ToArray()).Apply(x, new Random(0)),
            _ => throw new InvalidOperationException($"unknown op {op}"),
        };
    }
}
