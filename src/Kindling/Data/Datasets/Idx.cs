using System.Buffers.Binary;
using System.IO.Compression;

namespace Kindling.Data.Datasets;

/// <summary>
/// The IDX format of the MNIST family: a big-endian magic (0x00000803 for uint8 images, 0x00000801 for
/// uint8 labels), big-endian dimension sizes, then the values. Files may be gzipped (detected by the 1f 8b magic).
/// </summary>
public static class Idx
{
    /// <summary>Magic of a uint8 array with three dimensions (count, rows, columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic of a uint8 array with one dimension (count).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an images file: <c>count</c> images of <c>rows x columns</c> uint8 pixels, row-major.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Columns) ReadImages(string path)
    {
        var (data, offset, dims) = Parse(Read(path), path, ImagesMagic, "images");
        return (data[offset..], dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads a labels file.</summary>
    public static int[] ReadLabels(string path)
    {
        var (data, offset, dims) = Parse(Read(path), path, LabelsMagic, "labels");
        var labels = new int[dims[0]];
        for (int i = 0; i < labels.Length; i++) labels[i] = data[offset + i];
        return labels;
    }

    static byte[] Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        if (!ArchiveReader.IsGzip(path)) return File.ReadAllBytes(path);
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        try { gz.CopyTo(memory); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: the gzip stream is damaged ({e.Message}); download the file again.", e); }
        return memory.ToArray();
    }

    static (byte[] Data, int Offset, int[] Dims) Parse(byte[] data, string path, int magic, string what)
    {
        int rank = magic & 0xff;
        if (data.Length < 4)
            throw new InvalidDataException($"{path}: {data.Length} bytes is too short for an IDX {what} file; expected magic 0x{magic:x8} and {rank} dimension sizes.");
        int found = BinaryPrimitives.ReadInt32BigEndian(data);
        if (found != magic)
            throw new InvalidDataException($"{path}: magic 0x{found:x8} is not an IDX {what} file; expected 0x{magic:x8} (uint8, {rank} dimension{(rank > 1 ? "s" : "")}).{(found == LabelsMagic || found == ImagesMagic ? " Images and labels files may be swapped." : "")}");
        if (data.Length < 4 + 4 * rank)
            throw new InvalidDataException($"{path}: {data.Length} bytes is too short for an IDX {what} header; expected magic 0x{magic:x8} and {rank} dimension sizes.");
        var dims = new int[rank];
        long expected = 1;
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4 + 4 * d));
            if (dims[d] < 0) throw new InvalidDataException($"{path}: dimension {d} has negative size {dims[d]}.");
            expected *= dims[d];
        }
        int offset = 4 + 4 * rank;
        if (data.Length - offset != expected)
            throw new InvalidDataException($"{path}: dimensions ({string.Join(" x ", dims)}) need {expected} bytes of data but the file has {data.Length - offset}; the file is truncated or damaged. Download it again.");
        return (data, offset, dims);
    }
}
