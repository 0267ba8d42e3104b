namespace Kindling.Export.Onnx;

/// <summary>One input of <see cref="OnnxEdgeCaseCheck"/>: how far ONNX Runtime's logits are from the checkpoint's on it.</summary>
/// <param name="Input">What the input is: all-black, all-white, noise, batch-of-one.</param>
/// <param name="Batch">Samples in the batch.</param>
/// <param name="MaxAbsDiff">The largest |ONNX - TorchSharp| over every logit (NaN when either side is not finite).</param>
/// <param name="ArgmaxAgreement">The share of samples whose top class is the same in both, 0 to 1.</param>
public sealed record OnnxEdgeCase(string Input, long Batch, double MaxAbsDiff, double ArgmaxAgreement);
