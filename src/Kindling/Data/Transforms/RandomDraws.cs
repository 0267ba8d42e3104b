namespace Kindling.Data.Transforms;

/// <summary>
/// Draws from a <see cref="Random"/> with the distributions the transforms need: uniform, normal,
/// Gamma, Beta, permutations. Everything comes from the caller's generator, so a fixed seed gives
/// the same draws on any thread.
/// </summary>
public static class RandomDraws
{
    /// <summary>A uniform draw from [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static double Uniform(this Random rng, double low, double high) => low + (high - low) * rng.NextDouble();

    /// <summary>A normal draw (Box–Muller).</summary>
    public static double Normal(this Random rng, double mean = 0, double std = 1)
    {
        double u1 = 1.0 - rng.NextDouble(); // (0, 1]: log is finite
        double u2 = rng.NextDouble();
        return mean + std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fills <paramref name="values"/> with normal draws (both Box–Muller outputs used).</summary>
    public static void FillNormal(this Random rng, Span<float> values, double mean = 0, double std = 1)
    {
        for (int i = 0; i < values.Length; i += 2)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1)), t = 2.0 * Math.PI * u2;
            values[i] = (float)(mean + std * r * Math.Cos(t));
            if (i + 1 < values.Length) values[i + 1] = (float)(mean + std * r * Math.Sin(t));
        }
    }

    /// <summary>A Gamma(<paramref name="shape"/>, 1) draw by Marsaglia and Tsang's method (with the
    /// <c>U^(1/shape)</c> boost for shapes below 1).</summary>
    public static double Gamma(this Random rng, double shape)
    {
        if (!(shape > 0)) throw new ArgumentOutOfRangeException(nameof(shape), shape, "the Gamma shape must be positive.");
        if (shape < 1)
            return rng.Gamma(shape + 1) * Math.Pow(1.0 - rng.NextDouble(), 1.0 / shape);
        double d = shape - 1.0 / 3.0, c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = rng.Normal();
                v = 1.0 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = 1.0 - rng.NextDouble();
            if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
            if (Math.Log(u) < 0.5 * x * x + d * (1.0 - v + Math.Log(v))) return d * v;
        }
    }

    /// <summary>A Beta(<paramref name="a"/>, <paramref name="b"/>) draw as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b).</summary>
    public static double Beta(this Random rng, double a, double b)
    {
        double x = rng.Gamma(a), y = rng.Gamma(b);
        double s = x + y;
        // Both draws can underflow to 0 for tiny shapes; the limit is a fair coin between 0 and 1.
        return s > 0 ? x / s : (rng.NextDouble() < a / (a + b) ? 1.0 : 0.0);
    }

    /// <summary>A uniformly random permutation of 0..n-1 (Fisher–Yates).</summary>
    public static long[] Permutation(this Random rng, int n)
    {
        var p = new long[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
