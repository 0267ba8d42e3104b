namespace Kindling.Generative.Diffusion;

/// <summary>
/// The cosine noise schedule of Nichol and Dhariwal (2021, "Improved DDPM"), with the seed's formula: alpha-bar(t) =
/// cos^2(((t / T) + s) / (1 + s) * pi / 2) normalized by its value at 0, beta_t = 1 - alpha-bar(t + 1) / alpha-bar(t),
/// clipped to [<see cref="MinBeta"/>, <see cref="MaxBeta"/>]. Computed in double precision.
/// </summary>
/// <remarks>
/// The seed clips to 0.9999; the paper clips to 0.999 "to prevent singularities near t = T", and so does this. With 0.9999
/// the last step multiplies the signal by sqrt(1e-4) and the final DDPM posterior coefficients become ill-conditioned.
/// </remarks>
public static class CosineBetaSchedule
{
    /// <summary>The lower clip (the seed's).</summary>
    public const double MinBeta = 1e-4;

    /// <summary>The upper clip (the paper's).</summary>
    public const double MaxBeta = 0.999;

    /// <summary>beta_0 .. beta_{T-1}.</summary>
    /// <param name="timesteps">T, the number of diffusion steps (>= 1).</param>
    /// <param name="s">The small offset that keeps beta_0 from being too small (0.008 in the paper and the seed).</param>
    public static double[] Betas(int timesteps, double s = 0.008)
    {
        if (timesteps < 1) throw new ArgumentException($"timesteps {timesteps}: expected >= 1.", nameof(timesteps));
        var alphaBar = new double[timesteps + 1];
        for (int i = 0; i <= timesteps; i++)
        {
            double c = Math.Cos(((double)i / timesteps + s) / (1 + s) * Math.PI * 0.5);
            alphaBar[i] = c * c;
        }
        var betas = new double[timesteps];
        for (int i = 0; i < timesteps; i++)
            betas[i] = Math.Clamp(1 - (alphaBar[i + 1] / alphaBar[0]) / (alphaBar[i] / alphaBar[0]), MinBeta, MaxBeta);
        return betas;
    }
}
