namespace Kindling.Data.Transforms;

/// <summary>The box draw torchvision's RandomResizedCrop and RandomErasing share.</summary>
internal static class BoxSampling
{
    /// <summary>
    /// Up to 10 tries: an area fraction uniform in <paramref name="scale"/> of <paramref name="height"/> x <paramref name="width"/>
    /// and an aspect ratio log-uniform in <paramref name="ratio"/>; returns the first (round(sqrt(area·ratio)), round(sqrt(area/ratio)))
    /// that <paramref name="fits"/> accepts, or null when none does.
    /// </summary>
    public static (int Along, int Across)? Draw(int height, int width, (double Min, double Max) scale, (double Min, double Max) ratio,
        Random rng, Func<int, int, bool> fits)
    {
        double area = (double)height * width;
        double logMin = Math.Log(ratio.Min), logMax = Math.Log(ratio.Max);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * rng.Uniform(scale.Min, scale.Max);
            double aspect = Math.Exp(rng.Uniform(logMin, logMax));
            int along = (int)Math.Round(Math.Sqrt(target * aspect));
            int across = (int)Math.Round(Math.Sqrt(target / aspect));
            if (fits(along, across)) return (along, across);
        }
        return null;
    }
}
