using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised.Mae;

/// <summary>
/// Images to non-overlapping p x p patches and back, in the MAE code's order: patch (row, column) in raster order, and inside
/// a patch its pixels row by row with the channels innermost (<c>nchpwq -> nhwpqc</c>), so a patch is p·p·C numbers.
/// </summary>
public static class Patches
{
    /// <summary>Throws a clear error unless <paramref name="patch"/> divides both sides of the image.</summary>
    /// <exception cref="ArgumentException">It does not.</exception>
    public static void CheckDivides(int patch, long height, long width)
    {
        if (patch < 1 || height % patch != 0 || width % patch != 0)
            throw new ArgumentException($"The patch size {patch} does not divide the {height}x{width} image: choose a patch size that divides both sides (e.g. {Divisors(height, width)}).");
    }

    static string Divisors(long height, long width) =>
        string.Join(", ", Enumerable.Range(2, (int)Math.Min(height, width) - 1).Where(d => height % d == 0 && width % d == 0).Take(4).DefaultIfEmpty(1));

    /// <summary>Images [N, C, H, W] to patches [N, (H/p)(W/p), p·p·C].</summary>
    public static Tensor Patchify(Tensor images, int patch)
    {
        if (images.dim() != 4) throw new ArgumentException($"Patchify needs images [N, C, H, W]; got [{string.Join(", ", images.shape)}].");
        long n = images.shape[0], c = images.shape[1], height = images.shape[2], width = images.shape[3];
        CheckDivides(patch, height, width);
        long h = height / patch, w = width / patch;
        return images.reshape(n, c, h, patch, w, patch).permute(0, 2, 4, 3, 5, 1).reshape(n, h * w, (long)patch * patch * c);
    }

    /// <summary>Patches [N, (H/p)(W/p), p·p·C] back to images [N, C, H, W]: the inverse of <see cref="Patchify"/>.</summary>
    public static Tensor Unpatchify(Tensor patches, int patch, int channels, long height, long width)
    {
        CheckDivides(patch, height, width);
        long n = patches.shape[0], h = height / patch, w = width / patch;
        if (patches.dim() != 3 || patches.shape[1] != h * w || patches.shape[2] != (long)patch * patch * channels)
            throw new ArgumentException($"Unpatchify needs patches [N, {h * w}, {patch * patch * channels}] for {channels}x{height}x{width} images; got [{string.Join(", ", patches.shape)}].");
        return patches.reshape(n, h, w, patch, patch, channels).permute(0, 5, 1, 3, 2, 4).reshape(n, channels, height, width);
    }
}
