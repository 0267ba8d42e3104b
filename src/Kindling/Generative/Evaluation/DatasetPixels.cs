using Kindling.Data.Datasets;
using static TorchSharp.torch;

namespace Kindling.Generative.Evaluation;

/// <summary>Real images as FID reads them: a data set's pixels scaled to [0, 1], no transform.</summary>
public static class DatasetPixels
{
    /// <summary>
    /// Pixels [N, C, H, W] float in [0, 1] of all of <paramref name="data"/>, or of <paramref name="limit"/> images drawn
    /// without replacement with <paramref name="seed"/> (the same images every time).
    /// </summary>
    public static Tensor Read(IImageDataset data, int? limit = null, int seed = 0)
    {
        int count = Math.Min(limit ?? data.Count, data.Count);
        var indices = Enumerable.Range(0, data.Count).ToArray();
        if (count < data.Count) new Random(seed).Shuffle(indices);
        int size = data.Shape.Size;
        var bytes = new byte[(long)count * size];
        Parallel.For(0, count, i => data.CopyImage(indices[i], bytes.AsSpan(i * size, size), PixelLayout.Chw));
        using var raw = tensor(bytes, [count, data.Shape.Channels, data.Shape.Height, data.Shape.Width]);
        return raw.to(float32).div_(255);
    }
}
