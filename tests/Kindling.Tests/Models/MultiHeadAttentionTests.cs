using System.Text.Json;
using Kindling.Models.Blocks;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Models;

/// <summary>
/// Attention with key-padding masks equals PyTorch's nn.MultiheadAttention(batch_first=True) called with key_padding_mask
/// for the same weights (Oracle/make_attention_fixtures.py), and the fully padded element is the documented decision.
/// </summary>
public class MultiHeadAttentionTests
{
    readonly JsonElement root;

    public MultiHeadAttentionTests()
    {
        TorchRuntime.EnsureLoaded();
        root = OracleFixtures.Json("attention/attention.json").RootElement;
    }

    internal static Tensor T(JsonElement e) =>
        tensor(e.GetProperty("data").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray(), e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray());

    JsonElement Case(string name) => root.GetProperty("attention").EnumerateArray().First(c => c.GetProperty("name").GetString() == name);

    static MultiHeadAttention Loaded(JsonElement c)
    {
        var attention = new MultiHeadAttention(c.GetProperty("dim").GetInt32(), c.GetProperty("heads").GetInt32());
        var parameters = attention.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var weights = c.GetProperty("weights").EnumerateObject().ToList();
        Assert.Equal(weights.Select(w => "mha." + w.Name).Order(), parameters.Keys.Order());
        using (no_grad())
            foreach (var w in weights) parameters["mha." + w.Name].copy_(T(w.Value));
        attention.eval();
        return attention;
    }

    static Tensor Mask(JsonElement c, long length) =>
        MultiHeadAttention.PaddingMask(tensor(c.GetProperty("lengths").EnumerateArray().Select(v => v.GetInt64()).ToArray()), length);

    [Theory]
    [InlineData("self")]
    [InlineData("cross")]
    public void OutputsAndWeightsEqualPyTorchsWithKeyPaddingMasks(string name)
    {
        using var scope = NewDisposeScope();
        var c = Case(name);
        using var attention = Loaded(c);
        var q = T(c.GetProperty("query"));
        var k = T(c.GetProperty("key"));
        var (output, weights) = attention.Attend(q, k, k, Mask(c, k.shape[1]), needWeights: true);
        Assert.True((output - T(c.GetProperty("output"))).abs().max().item<float>() < 1e-6);
        Assert.True((weights! - T(c.GetProperty("attention"))).abs().max().item<float>() < 1e-6);
        // Padded keys get no weight at all.
        Assert.Equal(0f, weights!.masked_select(Mask(c, k.shape[1]).unsqueeze(1).expand_as(weights)).abs().sum().item<float>());
    }

    [Fact]
    public void PaddedKeysDoNotChangeTheOutputWhateverTheyHold()
    {
        using var scope = NewDisposeScope();
        var c = Case("self");
        using var attention = Loaded(c);
        var q = T(c.GetProperty("query"));
        var mask = Mask(c, q.shape[1]);
        var changed = q.clone().masked_fill(mask.unsqueeze(2), 1e3f);
        var a = attention.call(q, q, q, mask);
        var b = attention.call(q, changed, changed, mask);
        Assert.True((a - b).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void AFullyPaddedElementAttendsToNothingWithoutNaNAndTheOthersArePyTorchs()
    {
        using var scope = NewDisposeScope();
        var c = Case("fully_padded");
        Assert.Equal([1], c.GetProperty("nan_batch_elements").EnumerateArray().Select(v => v.GetInt32()));
        using var attention = Loaded(c);
        var q = T(c.GetProperty("query")).requires_grad_(true);
        var k = T(c.GetProperty("key"));
        var (output, weights) = attention.Attend(q, k, k, Mask(c, k.shape[1]), needWeights: true);
        var expected = T(c.GetProperty("output"));
        var expectedWeights = T(c.GetProperty("attention"));
        foreach (var i in new long[] { 0, 2 })
        {
            Assert.True((output[i] - expected[i]).abs().max().item<float>() < 1e-6);
            Assert.True((weights![i] - expectedWeights[i]).abs().max().item<float>() < 1e-6);
        }
        // Element 1 (PyTorch: NaN): weights 0, output = out_proj.bias.
        var bias = attention.named_parameters().First(p => p.name == "mha.out_proj.bias").parameter;
        Assert.Equal(0f, weights![1].abs().sum().item<float>());
        Assert.True((output[1] - bias.unsqueeze(0)).abs().max().item<float>() < 1e-7);
        output.sum().backward();
        Assert.False(q.grad!.isnan().any().item<bool>());
        Assert.Equal(0f, q.grad![1].abs().sum().item<float>());
        foreach (var (name, p) in attention.named_parameters())
            Assert.False(p.grad!.isnan().any().item<bool>(), name);
    }

    [Fact]
    public void BadShapesAndMasksAreClearErrors()
    {
        using var attention = new MultiHeadAttention(8, 2);
        using var x = randn(2, 3, 8);
        Assert.Contains("batch first", Assert.Throws<ArgumentException>(() => attention.call(randn(3, 8), x, x, null)).Message);
        Assert.Contains("must be bool", Assert.Throws<ArgumentException>(() => attention.call(x, x, x, zeros(2, 3))).Message);
        Assert.Contains("[batch, key length] = [2, 3]", Assert.Throws<ArgumentException>(() => attention.call(x, x, x, zeros(2, 4, dtype: ScalarType.Bool))).Message);
        Assert.Throws<ArgumentException>(() => new MultiHeadAttention(8, 3));
    }
}
