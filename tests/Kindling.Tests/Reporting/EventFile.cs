namespace Kindling.Tests.Reporting;

/// <summary>
/// Reads a TensorBoard event file's TFRecord framing independently of TorchSharp: each record is a
/// uint64 length, the masked CRC32C of those 8 bytes, the data, and the masked CRC32C of the data.
/// </summary>
static class EventFile
{
    /// <summary>The records' data, after checking every CRC; throws on a bad or truncated record.</summary>
    public static List<byte[]> Records(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        int at = 0;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 12) throw new InvalidDataException($"truncated header at byte {at}");
            var lengthBytes = bytes.AsSpan(at, 8);
            ulong length = BitConverter.ToUInt64(lengthBytes);
            uint lengthCrc = BitConverter.ToUInt32(bytes, at + 8);
            if (lengthCrc != Masked(lengthBytes)) throw new InvalidDataException($"length CRC mismatch at byte {at}");
            at += 12;
            if ((ulong)(bytes.Length - at) < length + 4) throw new InvalidDataException($"truncated record at byte {at}");
            var data = bytes.AsSpan(at, (int)length);
            uint dataCrc = BitConverter.ToUInt32(bytes, at + (int)length);
            if (dataCrc != Masked(data)) throw new InvalidDataException($"data CRC mismatch at byte {at}");
            records.Add(data.ToArray());
            at += (int)length + 4;
        }
        return records;
    }

    public static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    static readonly uint[] Table = BuildTable();

    static uint[] BuildTable()
    {
        // Castagnoli polynomial, reflected.
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>The summary values of the event file in <paramref name="folder"/>, decoded with TorchSharp's protobuf types, with their steps.</summary>
    public static List<(string Tag, long Step, Tensorboard.Summary.Types.Value Value)> Values(string folder) =>
        Records(Directory.GetFiles(folder, "events.out.tfevents.*").Single())
            .Select(r => Tensorboard.Event.Parser.ParseFrom(r)).Where(e => e.Summary is not null)
            .SelectMany(e => e.Summary.Value.Select(v => (v.Tag, e.Step, v))).ToList();

    /// <summary>Whether <paramref name="text"/>'s UTF-8 bytes occur in any record.</summary>
    public static bool Contains(IEnumerable<byte[]> records, string text)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(text);
        return records.Any(r => r.AsSpan().IndexOf(needle) >= 0);
    }
}
