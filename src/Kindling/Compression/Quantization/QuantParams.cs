namespace Kindling.Compression.Quantization;

/// <summary>
/// Affine quantization parameters: q = clamp(round(x / scale) + zero_point, QuantMin, QuantMax). One
/// scale and zero point per tensor, or one per channel (<see cref="IsPerChannel"/>).
/// </summary>
/// <param name="Scales">Scale per tensor (length 1) or per channel.</param>
/// <param name="ZeroPoints">Zero point per tensor or per channel.</param>
/// <param name="QuantMin">Smallest quantized value (0 for uint8, -128 for int8).</param>
/// <param name="QuantMax">Largest quantized value (255 for uint8, 127 for int8).</param>
public sealed record QuantParams(float[] Scales, int[] ZeroPoints, int QuantMin, int QuantMax)
{
    /// <summary>int8 storage (signed) rather than uint8.</summary>
    public bool Signed => QuantMin < 0;

    /// <summary>One scale per channel.</summary>
    public bool IsPerChannel => Scales.Length > 1;

    /// <summary>The uint8 range, for asymmetric activations.</summary>
    public const int UInt8Min = 0, UInt8Max = 255;

    /// <summary>The int8 range, for symmetric weights.</summary>
    public const int Int8Min = -128, Int8Max = 127;
}
