using System.Text.Json;
using Kindling.Generative.Diffusion;

namespace Kindling.Tests.Generative;

/// <summary>The cosine schedule, its constants and DDIM's timesteps against PyTorch (Oracle/make_diffusion_fid_fixtures.py).</summary>
public class DiffusionScheduleTests
{
    static double[] Values(JsonElement e, string key) => e.GetProperty(key).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]} vs PyTorch {expected[i]}");
    }

    [Theory]
    [InlineData(20)]
    [InlineData(1000)]
    public void TheCosineScheduleAndItsPosteriorMatchPyTorch(int timesteps)
    {
        using var fixture = OracleFixtures.Json("generative/diffusion_schedule.json");
        var e = fixture.RootElement.GetProperty(timesteps.ToString());
        var schedule = NoiseSchedule.Cosine(timesteps);
        AssertClose(Values(e, "betas"), schedule.Betas, 1e-12, "betas");
        AssertClose(Values(e, "alphas_cumprod"), schedule.AlphasCumprod, 1e-12, "alphas_cumprod");
        AssertClose(Values(e, "posterior_coef_x0"), schedule.PosteriorCoefX0, 1e-10, "posterior_coef_x0");
        AssertClose(Values(e, "posterior_coef_xt"), schedule.PosteriorCoefXt, 1e-10, "posterior_coef_xt");
        AssertClose(Values(e, "posterior_variance"), schedule.PosteriorVariance, 1e-10, "posterior_variance");
        int steps = e.GetProperty("ddim_steps").GetInt32();
        Assert.Equal(e.GetProperty("ddim_timesteps").EnumerateArray().Select(v => v.GetInt32()), schedule.DdimTimesteps(steps));
        // The paper's clip, not the seed's 0.9999: the last beta of a short schedule hits it.
        Assert.Equal(CosineBetaSchedule.MaxBeta, schedule.Betas.Max());
    }

    [Fact]
    public void DdimWithAllStepsVisitsEveryTimestepAndRefusesMoreThanT()
    {
        var schedule = NoiseSchedule.Cosine(30);
        Assert.Equal(Enumerable.Range(0, 30), schedule.DdimTimesteps(30));
        Assert.Equal([29], schedule.DdimTimesteps(1));
        var e = Assert.Throws<ArgumentException>(() => schedule.DdimTimesteps(31));
        Assert.Contains("expected 1 .. 30", e.Message);
    }
}
