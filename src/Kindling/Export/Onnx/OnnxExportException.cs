namespace Kindling.Export.Onnx;

/// <summary>A model cannot be written as ONNX: a module type without a converter, or a configuration a converter cannot express.</summary>
public sealed class OnnxExportException(string message) : Exception(message);
