using System.Formats.Tar;
using System.IO.Compression;

namespace Kindling.Data.Datasets;

/// <summary>Reads files straight out of an official <c>.tar.gz</c> in one streaming pass, never extracting to disk.</summary>
static class ArchiveReader
{
    /// <summary>Whether <paramref name="path"/> is an existing tar archive (.tar.gz, .tgz or .tar).</summary>
    public static bool IsArchive(string path) =>
        File.Exists(path) && (path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase)
            || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the file starts with the gzip magic bytes 1f 8b.</summary>
    public static bool IsGzip(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        return f.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>
    /// Calls <paramref name="use"/> with each regular file whose name (forward slashes, no leading "./")
    /// <paramref name="want"/> accepts, in archive order; directories go to <paramref name="directory"/> when given.
    /// </summary>
    public static void ForEachFile(string archive, Func<string, bool> want, Action<string, byte[]> use, Action<string>? directory = null)
    {
        using var file = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Stream stream = IsGzip(archive) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var tar = new TarReader(stream);
        try
        {
            while (tar.GetNextEntry() is { } entry)
            {
                string name = Normalize(entry.Name);
                if (entry.EntryType == TarEntryType.Directory) { directory?.Invoke(name.TrimEnd('/')); continue; }
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !want(name)) continue;
                var bytes = new byte[entry.Length];
                if (entry.DataStream is { } data) data.ReadExactly(bytes);
                use(name, bytes);
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new InvalidDataException($"{archive}: the archive is damaged or truncated ({e.Message}). Expected a complete .tar.gz; download it again.", e);
        }
    }

    static string Normalize(string name)
    {
        name = name.Replace('\\', '/');
        while (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
        return name;
    }
}
