using System.Text.Json;
using Kindling.Generative.Evaluation;
using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Tests.Generative;

/// <summary>The Frechet distance against pytorch-fid's formula with scipy's sqrtm on fixed features (Oracle/make_diffusion_fid_fixtures.py).</summary>
public class FrechetDistanceTests
{
    static Tensor Matrix(JsonElement e)
    {
        var rows = e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        return tensor(rows.SelectMany(r => r).ToArray(), dtype: float64).view(rows.Length, rows[0].Length);
    }

    [Fact]
    public void MatchesScipyOnFixedFeatures()
    {
        TorchRuntime.EnsureLoaded();
        using var fixture = OracleFixtures.Json("generative/frechet.json");
        var root = fixture.RootElement;
        using var a = Matrix(root.GetProperty("a"));
        using var b = Matrix(root.GetProperty("b"));
        double expected = root.GetProperty("fid_ab").GetDouble();
        double actual = FrechetDistance.Between(a, b);
        Assert.True(Math.Abs(actual - expected) < 1e-8 * expected, $"FID {actual} vs scipy {expected}");
        // Symmetric, and 0 between a set and itself.
        Assert.True(Math.Abs(FrechetDistance.Between(b, a) - expected) < 1e-8 * expected);
        Assert.True(Math.Abs(FrechetDistance.Between(a, a)) < 1e-9);
        // float32 features give the same number: the fit is made in float64.
        Assert.True(Math.Abs(FrechetDistance.Between(a.to(float32), b.to(float32)) - expected) < 1e-4 * expected);
    }

    [Fact]
    public void MatchesScipyWithSingularCovariances()
    {
        TorchRuntime.EnsureLoaded();
        using var fixture = OracleFixtures.Json("generative/frechet.json");
        var root = fixture.RootElement;
        using var c = Matrix(root.GetProperty("c"));
        using var d = Matrix(root.GetProperty("d"));
        double expected = root.GetProperty("fid_cd").GetDouble();
        double actual = FrechetDistance.Between(c, d);
        Assert.True(Math.Abs(actual - expected) < 1e-6 * expected, $"FID {actual} vs scipy {expected}");
    }

    [Fact]
    public void RefusesFeatureSetsOfDifferentWidths()
    {
        TorchRuntime.EnsureLoaded();
        using var a = randn(10, 4, dtype: float64);
        using var b = randn(10, 5, dtype: float64);
        var e = Assert.Throws<ArgumentException>(() => FrechetDistance.Between(a, b));
        Assert.Contains("same feature network", e.Message);
    }

    [Fact]
    public void ClassCoverageCountsPredictionsConfidenceAndTheAskedClass()
    {
        TorchRuntime.EnsureLoaded();
        using var p = tensor(new double[] { 0.9, 0.1, 0, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1, 0.1, 0.8, 0.1 }).view(4, 3);
        using var asked = tensor(new long[] { 0, 1, 2, 1 });
        var coverage = ClassCoverage.Of(p, ["a", "b", "c"], asked);
        Assert.Equal([2, 2, 0], coverage.Counts);
        Assert.Equal((0.9 + 0.7 + 0.6 + 0.8) / 4, coverage.MeanConfidence, 12);
        // Rows 0, 1 and 3 are classified as asked; row 2 (asked c) is taken for a.
        Assert.Equal(0.75, coverage.AskedClassShare!.Value, 12);
        Assert.Equal(0, coverage.MinShare);
    }
}
