using SkiaSharp;

namespace Kindling.Tests.Cli;

/// <summary>A tiny picture folder (imagefolder layout) of three 8x8 RGB classes, for end-to-end CLI tests.</summary>
static class TinyPictures
{
    // Class c is a picture dominated by channel c, plus noise: learnable in a few steps.
    public static void Write(string root, int perClass)
    {
        var rng = new Random(4);
        foreach (var (name, c) in new[] { ("red", 0), ("green", 1), ("blue", 2) })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            for (int i = 0; i < perClass; i++)
            {
                using var bitmap = new SKBitmap(new SKImageInfo(8, 8, SKColorType.Rgba8888, SKAlphaType.Opaque));
                for (int y = 0; y < 8; y++)
                    for (int x = 0; x < 8; x++)
                    {
                        var v = new byte[3];
                        for (int k = 0; k < 3; k++) v[k] = (byte)(k == c ? 160 + rng.Next(90) : rng.Next(90));
                        bitmap.SetPixel(x, y, new SKColor(v[0], v[1], v[2]));
                    }
                using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(root, name, $"{i:D3}.png"), data.ToArray());
            }
        }
    }
}
