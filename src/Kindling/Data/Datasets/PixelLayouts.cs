namespace Kindling.Data.Datasets;

/// <summary>Copies between HWC and CHW pixel orders.</summary>
public static class PixelLayouts
{
    public static void Copy(ReadOnlySpan<byte> source, PixelLayout from, Span<byte> destination, PixelLayout to, ImageShape shape)
    {
        if (source.Length < shape.Size || destination.Length < shape.Size)
            throw new ArgumentException($"an image of {shape} needs {shape.Size} bytes; got {source.Length} in and {destination.Length} out.");
        int c = shape.Channels, plane = shape.Height * shape.Width;
        if (from == to || c == 1)
        {
            source[..shape.Size].CopyTo(destination);
            return;
        }
        if (from == PixelLayout.Hwc)
            for (int p = 0; p < plane; p++)
                for (int ch = 0; ch < c; ch++)
                    destination[ch * plane + p] = source[p * c + ch];
        else
            for (int p = 0; p < plane; p++)
                for (int ch = 0; ch < c; ch++)
                    destination[p * c + ch] = source[ch * plane + p];
    }
}
