namespace Kindling.Export.Onnx;

/// <summary>ONNX tensor element types (TensorProto.DataType), the subset Kindling writes and reads.</summary>
public enum OnnxDataType
{
    /// <summary>Not set.</summary>
    Undefined = 0,
    /// <summary>32-bit float.</summary>
    Float = 1,
    /// <summary>Unsigned 8-bit integer (asymmetric activations).</summary>
    UInt8 = 2,
    /// <summary>Signed 8-bit integer (symmetric weights).</summary>
    Int8 = 3,
    /// <summary>Signed 32-bit integer (quantized biases).</summary>
    Int32 = 6,
    /// <summary>Signed 64-bit integer (shapes, indices).</summary>
    Int64 = 7,
}
