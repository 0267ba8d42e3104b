namespace Kindling.Export.Onnx;

/// <summary>
/// A graph input or output: its name, element type and shape, where a null dimension is symbolic and
/// named by <see cref="DimParams"/> (the dynamic batch axis, "batch").
/// No dimensions at all means the shape is left unstated (written without a shape), as for calibration outputs.
/// </summary>
public sealed record OnnxValueInfo(string Name, OnnxDataType ElementType, long?[] Dims, string?[] DimParams);
