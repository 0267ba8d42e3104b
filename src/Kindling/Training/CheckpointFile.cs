using System.Text;

namespace Kindling.Training;

/// <summary>
/// A checkpoint on disk: named sections (model, optimizer, metadata JSON, ...) in one file, written
/// to a temporary file in the same folder and renamed over the target, so a crash mid-write never
/// leaves a half-written checkpoint where a good one was.
/// Layout: "KINDLING-CKPT" magic, int32 version, int32 section count, then per section its name
/// (length-prefixed UTF-8), int64 byte length and the bytes.
/// </summary>
public static class CheckpointFile
{
    static readonly byte[] Magic = Encoding.ASCII.GetBytes("KINDLING-CKPT");
    const int Version = 1;

    /// <summary>Writes the sections atomically (temporary file, then rename).</summary>
    public static void Write(string path, IReadOnlyDictionary<string, byte[]> sections)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var w = new BinaryWriter(stream))
            {
                w.Write(Magic);
                w.Write(Version);
                w.Write(sections.Count);
                foreach (var (name, bytes) in sections)
                {
                    w.Write(name);
                    w.Write((long)bytes.Length);
                    w.Write(bytes);
                }
                w.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Reads every section; a file that is not a complete Kindling checkpoint is refused by name.</summary>
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
            if (version != Version) throw new InvalidDataException($"{path} is a version {version} checkpoint; this Kindling reads version {Version}.");
            int count = r.ReadInt32();
            var sections = new Dictionary<string, byte[]>();
            for (int i = 0; i < count; i++)
            {
                var name = r.ReadString();
                long length = r.ReadInt64();
                if (length < 0 || length > stream.Length - stream.Position)
                    throw new InvalidDataException($"{path} is truncated: section '{name}' claims {length} bytes but {stream.Length - stream.Position} remain.");
                sections[name] = r.ReadBytes((int)length);
            }
            return sections;
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path} is truncated: it ends inside its section table.");
        }
    }
}
