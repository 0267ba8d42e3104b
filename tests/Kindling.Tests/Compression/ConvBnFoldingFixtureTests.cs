using System.Text.Json;
using Kindling.Compression;
using Kindling.Compression.Fusion;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Compression;

/// <summary>Folded weights equal torch.nn.utils.fusion.fuse_conv_bn_eval / fuse_linear_bn_eval (Oracle/make_fusion_fixtures.py).</summary>
public class ConvBnFoldingFixtureTests
{
    readonly JsonElement cases;

    public ConvBnFoldingFixtureTests()
    {
        TorchRuntime.EnsureLoaded();
        cases = OracleFixtures.Json("fusion/fusion.json").RootElement.GetProperty("cases");
    }

    static Tensor? Load(JsonElement e) => e.ValueKind == JsonValueKind.Null
        ? null
        : tensor(e.GetProperty("data").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray(),
            e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray());

    static double MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    public static TheoryData<string> Cases() => new("conv3x3_no_bias", "conv_bias_stride_eps", "depthwise", "conv1x1_not_affine", "linear");

    [Theory]
    [MemberData(nameof(Cases))]
    public void FoldedWeightsAndOutputsMatchPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        var c = cases.GetProperty(name);
        var weight = Load(c.GetProperty("weight"))!;
        var bias = Load(c.GetProperty("bias"));
        var (w, b) = ConvBnFolding.Fold(weight, bias, Load(c.GetProperty("running_mean"))!, Load(c.GetProperty("running_var"))!,
            Load(c.GetProperty("gamma")), Load(c.GetProperty("beta")), c.GetProperty("eps").GetDouble());
        Assert.True(MaxDiff(w, Load(c.GetProperty("fused_weight"))!) < 1e-6, $"{name}: weight differs from PyTorch's by {MaxDiff(w, Load(c.GetProperty("fused_weight"))!)}");
        Assert.True(MaxDiff(b, Load(c.GetProperty("fused_bias"))!) < 1e-6, $"{name}: bias differs from PyTorch's by {MaxDiff(b, Load(c.GetProperty("fused_bias"))!)}");

        // The fused layer alone computes what the unfused layer and BatchNorm computed in PyTorch.
        var x = Load(c.GetProperty("input"))!;
        var y = weight.dim() == 2
            ? nn.functional.linear(x, w, b)
            : nn.functional.conv2d(x, w, b,
                strides: c.GetProperty("stride").EnumerateArray().Select(v => v.GetInt64()).ToArray(),
                padding: c.GetProperty("padding").EnumerateArray().Select(v => v.GetInt64()).ToArray(),
                groups: c.GetProperty("groups").GetInt64());
        Assert.True(MaxDiff(y, Load(c.GetProperty("expected"))!) < 1e-5, $"{name}: output differs from PyTorch's conv-BN by {MaxDiff(y, Load(c.GetProperty("expected"))!)}");
    }

    [Fact]
    public void StatisticsOfTheWrongLengthAreRefused()
    {
        using var scope = NewDisposeScope();
        var x = Assert.Throws<ArgumentException>(() => ConvBnFolding.Fold(ones(4, 3, 3, 3), null, zeros(5), ones(5), null, null, 1e-5));
        Assert.Contains("running_mean", x.Message);
        Assert.Contains("4 output channels", x.Message);
    }
}
