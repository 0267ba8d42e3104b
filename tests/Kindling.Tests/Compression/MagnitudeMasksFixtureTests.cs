using System.Text.Json;
using Kindling.Compression;
using Kindling.Compression.Pruning;
using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Tests.Compression;

/// <summary>Masks equal torch.nn.utils.prune's (Oracle/make_pruning_fixtures.py).</summary>
public class MagnitudeMasksFixtureTests
{
    readonly JsonElement cases;

    public MagnitudeMasksFixtureTests()
    {
        TorchRuntime.EnsureLoaded();
        cases = OracleFixtures.Json("pruning/pruning.json").RootElement.GetProperty("cases");
    }

    static Tensor Load(JsonElement e) =>
        tensor(e.GetProperty("data").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray(),
            e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray());

    static void AssertSameMask(Tensor expected, Tensor actual, string name)
    {
        Assert.Equal(expected.shape, actual.shape);
        long differing = expected.ne(actual).sum().item<long>();
        Assert.True(differing == 0, $"{name}: {differing} of {expected.numel()} mask entries differ from PyTorch's");
    }

    [Fact]
    public void L1UnstructuredMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var c = cases.GetProperty("l1_unstructured");
        var mask = MagnitudeMasks.L1Unstructured(Load(c.GetProperty("weight")), c.GetProperty("amount").GetDouble());
        AssertSameMask(Load(c.GetProperty("mask")), mask, "l1_unstructured");

        // A second 30% applies to the 70% left, as PyTorch's PruningContainer does.
        var twice = cases.GetProperty("l1_unstructured_twice");
        var again = MagnitudeMasks.L1Unstructured(Load(twice.GetProperty("weight")), twice.GetProperty("amount").GetDouble(), mask);
        AssertSameMask(Load(twice.GetProperty("mask")), again, "l1_unstructured twice");
    }

    [Fact]
    public void GlobalUnstructuredMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var c = cases.GetProperty("global_unstructured");
        var weights = c.GetProperty("weights").EnumerateArray().Select(Load).ToList();
        var masks = MagnitudeMasks.GlobalL1Unstructured(weights, c.GetProperty("amount").GetDouble());
        var expected = c.GetProperty("masks").EnumerateArray().Select(Load).ToList();
        for (int i = 0; i < weights.Count; i++) AssertSameMask(expected[i], masks[i], $"global layer {i}");
        // Global pruning takes 40% of all entries, not 40% of each layer.
        double pruned = masks.Sum(m => m.eq(0).sum().item<long>());
        Assert.Equal(Math.Round(0.4 * weights.Sum(w => w.numel()), MidpointRounding.ToEven), pruned);
        Assert.NotEqual(masks[0].eq(0).to(float32).mean().item<float>(), masks[1].eq(0).to(float32).mean().item<float>());
    }

    [Theory]
    [InlineData("ln_structured_n2")]
    [InlineData("ln_structured_n1")]
    [InlineData("ln_structured_inf")]
    public void LnStructuredAlongFiltersMatchesPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        var c = cases.GetProperty(name);
        double n = c.GetProperty("n").ValueKind == JsonValueKind.String ? double.PositiveInfinity : c.GetProperty("n").GetDouble();
        var mask = MagnitudeMasks.LnStructured(Load(c.GetProperty("weight")), c.GetProperty("amount").GetDouble(), n, dim: 0);
        AssertSameMask(Load(c.GetProperty("mask")), mask, name);
        // Whole filters: every filter is all kept or all pruned.
        var perFilter = mask.reshape(mask.shape[0], -1);
        Assert.True(perFilter.amax(1).eq(perFilter.amin(1)).all().item<bool>());
    }

    [Fact]
    public void AmountsOutsideZeroToOneAreRefused()
    {
        using var scope = NewDisposeScope();
        var x = Assert.Throws<ArgumentOutOfRangeException>(() => MagnitudeMasks.L1Unstructured(ones(10), 1.5));
        Assert.Contains("[0, 1]", x.Message);
    }
}
