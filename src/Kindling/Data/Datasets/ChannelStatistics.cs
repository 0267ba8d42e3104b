namespace Kindling.Data.Datasets;

/// <summary>
/// Per-channel mean and standard deviation of a split over all its pixels, values scaled to [0, 1]; the std is the
/// population std (as <c>data.std()</c> over the whole array in the usual normalization scripts).
/// </summary>
/// <param name="Mean">Mean per channel.</param>
/// <param name="Std">Population standard deviation per channel.</param>
public sealed record ChannelStatistics(IReadOnlyList<double> Mean, IReadOnlyList<double> Std)
{
    /// <summary>
    /// Computes the statistics in parallel over chunks of samples, one image buffer per worker (nothing large is loaded).
    /// Sums are exact integers, so the result does not depend on the number of threads.
    /// </summary>
    public static ChannelStatistics Compute(IImageDataset dataset, int maxDegreeOfParallelism = -1)
    {
        if (dataset.Count == 0) throw new ArgumentException($"{dataset.Name}: no samples to compute statistics of.");
        int channels = dataset.Shape.Channels, size = dataset.Shape.Size;
        var sum = new long[channels];
        var squares = new long[channels];
        var gate = new object();
        const int chunk = 256;
        Parallel.For(0, (dataset.Count + chunk - 1) / chunk, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            () => (Buffer: new byte[size], Sum: new long[channels], Squares: new long[channels]),
            (c, _, local) =>
            {
                for (int i = c * chunk; i < Math.Min(dataset.Count, (c + 1) * chunk); i++)
                {
                    dataset.CopyImage(i, local.Buffer, PixelLayout.Hwc);
                    for (int p = 0; p < size; p += channels)
                        for (int ch = 0; ch < channels; ch++)
                        {
                            int v = local.Buffer[p + ch];
                            local.Sum[ch] += v;
                            local.Squares[ch] += v * v;
                        }
                }
                return local;
            },
            local =>
            {
                lock (gate)
                    for (int ch = 0; ch < channels; ch++)
                    {
                        sum[ch] += local.Sum[ch];
                        squares[ch] += local.Squares[ch];
                    }
            });
        double n = (double)dataset.Count * dataset.Shape.Height * dataset.Shape.Width;
        var mean = new double[channels];
        var std = new double[channels];
        for (int ch = 0; ch < channels; ch++)
        {
            double m = sum[ch] / n;
            mean[ch] = m / 255;
            std[ch] = Math.Sqrt(Math.Max(0, squares[ch] / n - m * m)) / 255;
        }
        return new ChannelStatistics(mean, std);
    }
}
