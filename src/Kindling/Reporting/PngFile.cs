using SkiaSharp;

namespace Kindling.Reporting;

/// <summary>Writes a bitmap as a PNG through a temporary name, as Plots.Save does: a reader never sees half a file.</summary>
public static class PngFile
{
    /// <summary>Saves <paramref name="bitmap"/> to <paramref name="path"/> (its folder created), and returns the path.</summary>
    public static string Save(SKBitmap bitmap, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        var temp = path + ".tmp.png";
        using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
        using (var file = File.Create(temp))
            data.SaveTo(file);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}
