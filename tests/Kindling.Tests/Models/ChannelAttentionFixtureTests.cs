using System.Text.Json;
using Kindling.Models.Blocks;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Models;

/// <summary>SE and ECA equal the seeds' PyTorch SEBlock and ECABlock for the same weights (Oracle/make_block_fixtures.py).</summary>
public class ChannelAttentionFixtureTests
{
    readonly JsonElement root;

    public ChannelAttentionFixtureTests()
    {
        TorchRuntime.EnsureLoaded();
        root = OracleFixtures.Json("blocks/blocks.json").RootElement;
    }

    static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    static long[] Shape(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt64()).ToArray();

    /// <summary>Copies the fixture's state dict into the module, by PyTorch name.</summary>
    static void Load(nn.Module module, JsonElement weights)
    {
        var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(weights.EnumerateObject().Select(w => w.Name).Order(), parameters.Keys.Order());
        using var _ = no_grad();
        foreach (var w in weights.EnumerateObject())
            parameters[w.Name].copy_(tensor(Floats(w.Value.GetProperty("data")), Shape(w.Value.GetProperty("shape"))));
    }

    static void AssertMatches(nn.Module<Tensor, Tensor> module, JsonElement c)
    {
        using var scope = NewDisposeScope();
        Load(module, c.GetProperty("weights"));
        var x = tensor(Floats(c.GetProperty("input")), Shape(c.GetProperty("input_shape")));
        var expected = tensor(Floats(c.GetProperty("expected")), Shape(c.GetProperty("input_shape")));
        var y = module.call(x);
        double maxDiff = (y - expected).abs().max().item<float>();
        Assert.True(maxDiff < 1e-6, $"max |Kindling - PyTorch| = {maxDiff}");
    }

    [Fact]
    public void SqueezeExcitationMatchesTheSeedsSEBlock()
    {
        var c = root.GetProperty("se");
        using var se = new SqueezeExcitation(c.GetProperty("channels").GetInt64(), c.GetProperty("reduction").GetInt32());
        AssertMatches(se, c);
    }

    [Fact]
    public void EfficientChannelAttentionMatchesTheSeedsECABlock()
    {
        foreach (var c in root.GetProperty("eca").EnumerateArray())
        {
            using var eca = new EfficientChannelAttention(c.GetProperty("channels").GetInt64());
            Assert.Equal(c.GetProperty("kernel_size").GetInt32(), eca.KernelSize);
            AssertMatches(eca, c);
        }
    }

    [Fact]
    public void EcaKernelSizesMatchThePaperFormula()
    {
        foreach (var entry in root.GetProperty("eca_kernel_sizes").EnumerateObject())
            Assert.True(entry.Value.GetInt32() == EfficientChannelAttention.KernelSizeFor(long.Parse(entry.Name)), $"C = {entry.Name}");
    }
}
