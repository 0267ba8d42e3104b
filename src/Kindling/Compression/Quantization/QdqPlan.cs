namespace Kindling.Compression.Quantization;

/// <summary>
/// Where a QDQ model quantizes activations: <see cref="Observed"/> tensors get their own parameters from
/// calibration (or QAT); <see cref="SharedWith"/> tensors (outputs of max-pooling and flattening) reuse
/// their source's, so ONNX Runtime can run those ops on the 8-bit values directly.
/// </summary>
/// <param name="Observed">Activation tensors needing parameters, in graph order.</param>
/// <param name="SharedWith">Tensor -> the observed tensor whose parameters it takes.</param>
/// <param name="Weighted">Names of the Conv and MatMul nodes whose weights are quantized.</param>
public sealed record QdqPlan(IReadOnlyList<string> Observed, IReadOnlyDictionary<string, string> SharedWith, IReadOnlyList<string> Weighted);
