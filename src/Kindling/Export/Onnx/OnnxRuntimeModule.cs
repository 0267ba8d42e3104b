using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Export.Onnx;

/// <summary>
/// An ONNX model in ONNX Runtime seen as a TorchSharp module: code written for a module (the evaluator,
/// predict) runs an exported or INT8 model unchanged. It has no parameters; the session runs on the CPU
/// and the output comes back on the input's device.
/// </summary>
public sealed class OnnxRuntimeModule : nn.Module<Tensor, Tensor>
{
    readonly OnnxRuntimeModel session;

    /// <param name="model">ModelProto bytes.</param>
    /// <param name="intraOpThreads">ONNX Runtime's intra-op threads (0: its default, all cores).</param>
    public OnnxRuntimeModule(byte[] model, int intraOpThreads = 0) : base("OnnxRuntimeModule")
    {
        session = new OnnxRuntimeModel(model, intraOpThreads);
    }

    /// <summary>Runs the model on a float batch [N,C,H,W] and returns its first output (the logits).</summary>
    public override Tensor forward(Tensor input)
    {
        var output = session.Run(input);
        return input.device.type == DeviceType.CPU ? output : output.to(input.device);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) session.Dispose();
        base.Dispose(disposing);
    }
}
