using Google.Protobuf;

namespace Kindling.Reporting;

/// <summary>
/// Writes a whole TensorBoard event file: TFRecord framing (a little-endian uint64 length, its masked
/// CRC32C, the serialized Event, the data's masked CRC32C), the first record the file version
/// "brain.Event:2" as TensorFlow writes it. For summaries TorchSharp's SummaryWriter cannot make
/// (the hparams plugin's); written to a temporary file and renamed, so a rewrite replaces it whole.
/// </summary>
public static class EventFileWriter
{
    /// <summary>Writes <paramref name="summaries"/> as one event each, at <paramref name="step"/> and <paramref name="wallTime"/> (seconds since the epoch).</summary>
    public static void Write(string path, IEnumerable<Tensorboard.Summary> summaries, double wallTime, long step = 0)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
        {
            Record(stream, new Tensorboard.Event { WallTime = wallTime, FileVersion = "brain.Event:2" });
            foreach (var summary in summaries) Record(stream, new Tensorboard.Event { WallTime = wallTime, Step = step, Summary = summary });
        }
        File.Move(temp, path, overwrite: true);
    }

    static void Record(Stream stream, Tensorboard.Event e)
    {
        var data = e.ToByteArray();
        var length = BitConverter.GetBytes((ulong)data.Length);
        stream.Write(length);
        stream.Write(BitConverter.GetBytes(MaskedCrc32C(length)));
        stream.Write(data);
        stream.Write(BitConverter.GetBytes(MaskedCrc32C(data)));
    }

    /// <summary>TFRecord's checksum: CRC32C (Castagnoli), rotated right by 15 bits plus a constant.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    static readonly uint[] Table = Enumerable.Range(0, 256).Select(i =>
    {
        uint c = (uint)i;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();
}
