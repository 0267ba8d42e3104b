using System.Formats.Tar;
using System.IO.Compression;

namespace Kindling.Tests.Data.Datasets;

/// <summary>Temporary folders, the fixture pixel formula, and where the shared data lives.</summary>
static class TestData
{
    /// <summary>The pixel the CIFAR fixtures (and make_cifar_pickles.py) put at image g, channel c, row y, column x.</summary>
    public static byte CifarPixel(int g, int c, int y, int x) => (byte)((g * 37 + c * 101 + y * 7 + x * 3) % 256);

    /// <summary>Image g of the fixtures in CHW order, as the official files store it.</summary>
    public static byte[] CifarChw(int g)
    {
        var b = new byte[3072];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++)
                    b[c * 1024 + y * 32 + x] = CifarPixel(g, c, y, x);
        return b;
    }

    /// <summary>Asserts that HWC image <paramref name="hwc"/> is fixture image g.</summary>
    public static void AssertCifarImage(int g, byte[] hwc)
    {
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
                for (int c = 0; c < 3; c++)
                    if (hwc[(y * 32 + x) * 3 + c] != CifarPixel(g, c, y, x))
                        Assert.Fail($"image {g}: pixel (y={y}, x={x}, c={c}) is {hwc[(y * 32 + x) * 3 + c]}; expected {CifarPixel(g, c, y, x)}");
    }

    /// <summary>The folder of committed fixtures copied to the test output.</summary>
    public static string Oracle(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Oracle", .. parts]);

    /// <summary>The repository root: the folder holding Kindling.slnx above the test binaries.</summary>
    public static string? RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Kindling.slnx"))) return d.FullName;
        return null;
    }

    /// <summary>
    /// A file of shared/data beside the repository (../shared/data from the root), or beside one of its parents
    /// (a git worktree lives a level deeper), or null when it is not there.
    /// </summary>
    public static string? SharedData(string name)
    {
        for (var d = RepoRoot() is { } root ? new DirectoryInfo(root).Parent : null; d is not null; d = d.Parent)
            if (Path.Combine(d.FullName, "shared", "data", name) is var p && File.Exists(p)) return p;
        return null;
    }

    /// <summary>Cuts <paramref name="file"/> to its first <paramref name="length"/> bytes, as an interrupted copy leaves it.</summary>
    public static string Truncate(string file, long length)
    {
        using var f = File.OpenWrite(file);
        f.SetLength(length);
        return file;
    }

    /// <summary>Packs <paramref name="folder"/> (with its own name as the top entry) into a .tar.gz.</summary>
    public static string TarGz(string folder, string archive)
    {
        using (var file = File.Create(archive))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
            TarFile.CreateFromDirectory(folder, gz, includeBaseDirectory: true);
        return archive;
    }
}

/// <summary>A temporary folder, deleted on dispose.</summary>
sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kindling-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public string Sub(params string[] parts)
    {
        var p = System.IO.Path.Combine([Path, .. parts]);
        Directory.CreateDirectory(p);
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A fact that runs only when ../shared/data/<c>file</c> exists next to the repository, and says so when skipped.</summary>
sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string file)
    {
        if (TestData.SharedData(file) is null)
            Skip = $"shared/data/{file} is not present beside the repository or its parents (found from {AppContext.BaseDirectory}); this test needs it.";
    }
}

/// <summary>A fact that runs only when Debian's dataset-fashion-mnist package is installed.</summary>
sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!File.Exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
            Skip = "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist puts it in /usr/share/datasets/fashion-mnist).";
    }
}
