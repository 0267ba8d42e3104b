namespace Kindling.Generative.Diffusion;

/// <summary>
/// A diffusion process's constants from its betas (double precision): alpha_t = 1 - beta_t, alpha-bar_t = prod alpha_s (s &lt;= t),
/// and the DDPM posterior q(x_{t-1} | x_t, x_0) = N(coef0 * x_0 + coefT * x_t, variance). Timesteps are 0-based: t = 0 .. T-1.
/// </summary>
public sealed class NoiseSchedule
{
    /// <param name="betas">beta_0 .. beta_{T-1}, each in (0, 1).</param>
    public NoiseSchedule(IReadOnlyList<double> betas)
    {
        if (betas.Count == 0 || betas.Any(b => !(b > 0 && b < 1))) throw new ArgumentException("betas must be non-empty and each in (0, 1).", nameof(betas));
        Betas = [.. betas];
        int n = Betas.Length;
        AlphasCumprod = new double[n];
        double product = 1;
        for (int t = 0; t < n; t++) AlphasCumprod[t] = product *= 1 - Betas[t];
        PosteriorCoefX0 = new double[n];
        PosteriorCoefXt = new double[n];
        PosteriorVariance = new double[n];
        for (int t = 0; t < n; t++)
        {
            double previous = t == 0 ? 1 : AlphasCumprod[t - 1];
            PosteriorCoefX0[t] = Betas[t] * Math.Sqrt(previous) / (1 - AlphasCumprod[t]);
            PosteriorCoefXt[t] = (1 - previous) * Math.Sqrt(1 - Betas[t]) / (1 - AlphasCumprod[t]);
            PosteriorVariance[t] = Betas[t] * (1 - previous) / (1 - AlphasCumprod[t]);
        }
    }

    /// <summary>The cosine schedule of <paramref name="timesteps"/> steps (<see cref="CosineBetaSchedule"/>).</summary>
    public static NoiseSchedule Cosine(int timesteps) => new(CosineBetaSchedule.Betas(timesteps));

    /// <summary>T.</summary>
    public int Timesteps => Betas.Length;

    /// <summary>beta_t.</summary>
    public double[] Betas { get; }

    /// <summary>alpha-bar_t: the share of the signal's variance left at step t.</summary>
    public double[] AlphasCumprod { get; }

    /// <summary>The posterior mean's coefficient of x_0.</summary>
    public double[] PosteriorCoefX0 { get; }

    /// <summary>The posterior mean's coefficient of x_t.</summary>
    public double[] PosteriorCoefXt { get; }

    /// <summary>The posterior variance beta-tilde_t (DDPM's "fixed small" choice of sigma_t^2); 0 at t = 0.</summary>
    public double[] PosteriorVariance { get; }

    /// <summary>
    /// DDIM's timesteps for <paramref name="steps"/> steps, ascending: evenly spaced and ending at T - 1 ("trailing" spacing),
    /// round((i + 1) T / S) - 1, so sampling starts from the last, noisiest step; with S = T, every step.
    /// </summary>
    public int[] DdimTimesteps(int steps)
    {
        if (steps < 1 || steps > Timesteps) throw new ArgumentException($"DDIM steps {steps}: expected 1 .. {Timesteps} (the diffusion's timesteps).", nameof(steps));
        return Enumerable.Range(0, steps).Select(i => (int)Math.Round((i + 1) * (double)Timesteps / steps) - 1).ToArray();
    }
}
