using TorchSharp;

namespace Kindling.Export.Onnx;

/// <summary>
/// Emits the ONNX nodes that compute <paramref name="module"/>'s forward on the value named
/// <paramref name="input"/>, and returns the name of the output value.
/// </summary>
public delegate string OnnxConverter(OnnxConversion conversion, torch.nn.Module module, string input);
