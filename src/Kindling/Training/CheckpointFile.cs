using System.Security.Cryptography;
using System.Text;

namespace Kindling.Training;

/// <summary>
/// A checkpoint on disk: named sections (model, optimizer, metadata JSON, ...) in one file, written
/// to a temporary file in the same folder and renamed over the target, so a crash or a full disk
/// mid-write never leaves a half-written checkpoint where a good one was.
/// Layout: "KINDLING-CKPT" magic, int32 version, int32 section count, then per section its name
/// (length-prefixed UTF-8), int64 byte length and the bytes; version 2 ends with the SHA-256 of every
/// byte before it, so a damaged file (flipped bits, a bad copy) is refused instead of loading wrong weights.
/// Version 1 files (no checksum) still load.
/// </summary>
public static class CheckpointFile
{
    static readonly byte[] Magic = Encoding.ASCII.GetBytes("KINDLING-CKPT");
    const int Version = 2;
    const int UncheckedVersion = 1;
    const int HashLength = 32;

    /// <summary>
    /// Opens the temporary file a write goes to. Tests replace it (for the calls of one async flow) with a
    /// stream that fails part-way, as a full disk does.
    /// </summary>
    internal static readonly AsyncLocal<Func<string, Stream>?> OpenTemporary = new();

    /// <summary>Writes the sections atomically (temporary file, then rename); on failure the previous file is untouched and the temporary one deleted.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, byte[]> sections)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = OpenTemporary.Value?.Invoke(temp) ?? new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                void Put(byte[] bytes)
                {
                    stream.Write(bytes);
                    sha.AppendData(bytes);
                }
                Put(Header(w =>
                {
                    w.Write(Magic);
                    w.Write(Version);
                    w.Write(sections.Count);
                }));
                foreach (var (name, bytes) in sections)
                {
                    Put(Header(w =>
                    {
                        w.Write(name);
                        w.Write((long)bytes.Length);
                    }));
                    Put(bytes);
                }
                stream.Write(sha.GetHashAndReset());
                stream.Flush();
                if (stream is FileStream file) file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            // A failed delete must not hide the write's own error (the one that says the disk is full).
            try
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    // The small fixed parts, encoded by BinaryWriter exactly as the reader's BinaryReader expects.
    static byte[] Header(Action<BinaryWriter> write)
    {
        using var memory = new MemoryStream();
        using (var w = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true)) write(w);
        return memory.ToArray();
    }

    /// <summary>Reads every section; a file that is not a complete, intact Kindling checkpoint is refused by name.</summary>
    public static Dictionary<string, byte[]> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint {path} does not exist.", path);
        using var stream = File.OpenRead(path);
        using var r = new BinaryReader(stream);
        try
        {
            var magic = r.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
                throw new InvalidDataException($"{path} is not a Kindling checkpoint (it does not start with KINDLING-CKPT).");
            int version = r.ReadInt32();
            if (version != Version && version != UncheckedVersion)
                throw new InvalidDataException($"{path} is a version {version} checkpoint; this Kindling reads versions {UncheckedVersion} and {Version}.");
            long end = stream.Length;
            if (version == Version)
            {
                if (end < stream.Position + HashLength) throw new EndOfStreamException();
                end -= HashLength;
                Verify(path, stream, end);
                stream.Position = Magic.Length + sizeof(int);
            }
            int count = r.ReadInt32();
            var sections = new Dictionary<string, byte[]>();
            for (int i = 0; i < count; i++)
            {
                var name = r.ReadString();
                long length = r.ReadInt64();
                if (length < 0 || length > end - stream.Position)
                    throw new InvalidDataException($"{path} is truncated: section '{name}' claims {length} bytes but {Math.Max(0, end - stream.Position)} remain.");
                sections[name] = r.ReadBytes((int)length);
            }
            return sections;
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path} is truncated: it ends inside its section table.");
        }
    }

    // The stored SHA-256 against the bytes before it, read in blocks so a large checkpoint is not held twice.
    static void Verify(string path, Stream stream, long end)
    {
        stream.Position = 0;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        for (long left = end; left > 0;)
        {
            int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n <= 0) throw new EndOfStreamException();
            sha.AppendData(buffer, 0, n);
            left -= n;
        }
        var stored = new byte[HashLength];
        stream.ReadExactly(stored);
        if (!sha.GetHashAndReset().AsSpan().SequenceEqual(stored))
            throw new InvalidDataException($"{path} is corrupt: its SHA-256 checksum does not match its contents (the file was damaged or changed after " +
                                           "it was written). Use another checkpoint (best.ckpt or last.ckpt of the run) or copy it again from where it came from.");
    }
}
