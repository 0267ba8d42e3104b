using System.Runtime.InteropServices;

namespace Kindling.Export.Onnx;

/// <summary>A constant tensor of the graph (an initializer): its name, element type, shape and little-endian bytes.</summary>
public sealed record OnnxTensor(string Name, OnnxDataType DataType, long[] Dims, byte[] RawData)
{
    /// <summary>A float tensor.</summary>
    public static OnnxTensor FromFloats(string name, long[] dims, ReadOnlySpan<float> values) =>
        new(name, OnnxDataType.Float, dims, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>An int64 tensor (shapes, axes, indices).</summary>
    public static OnnxTensor FromInt64s(string name, long[] dims, ReadOnlySpan<long> values) =>
        new(name, OnnxDataType.Int64, dims, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>An int32 tensor (quantized biases).</summary>
    public static OnnxTensor FromInt32s(string name, long[] dims, ReadOnlySpan<int> values) =>
        new(name, OnnxDataType.Int32, dims, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>A signed 8-bit tensor (quantized weights, symmetric zero points).</summary>
    public static OnnxTensor FromInt8s(string name, long[] dims, ReadOnlySpan<sbyte> values) =>
        new(name, OnnxDataType.Int8, dims, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>An unsigned 8-bit tensor (asymmetric zero points).</summary>
    public static OnnxTensor FromUInt8s(string name, long[] dims, ReadOnlySpan<byte> values) =>
        new(name, OnnxDataType.UInt8, dims, values.ToArray());

    /// <summary>The values of a float tensor.</summary>
    public float[] ToFloats() => DataType == OnnxDataType.Float
        ? MemoryMarshal.Cast<byte, float>(RawData).ToArray()
        : throw new InvalidOperationException($"Initializer '{Name}' holds {DataType}, not Float.");

    /// <summary>Number of elements (the product of the dimensions).</summary>
    public long ElementCount => Dims.Aggregate(1L, (a, d) => a * d);
}
