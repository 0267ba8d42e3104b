using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Kindling.Training.Tasks;

/// <summary>A task's own state for checkpoints: named tensors (saved on the CPU, byte for byte) and JSON values.</summary>
public sealed record TaskState(IReadOnlyDictionary<string, Tensor> Tensors, JsonObject Values);
