using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Export.Onnx;

/// <summary>
/// An ONNX model loaded in ONNX Runtime (CPU), fed and read as TorchSharp tensors: what the exporter's
/// tests compare against TorchSharp, and what quantization calibrates, evaluates and times.
/// </summary>
public sealed class OnnxRuntimeModel : IDisposable
{
    readonly InferenceSession session;
    readonly string inputName;

    /// <param name="model">ModelProto bytes.</param>
    /// <param name="intraOpThreads">ONNX Runtime's intra-op threads (0: its default, all cores).</param>
    /// <param name="optimizedModelPath">Where ONNX Runtime saves the graph after its optimizations (which kernels it chose), or null.</param>
    public OnnxRuntimeModel(byte[] model, int intraOpThreads = 0, string? optimizedModelPath = null)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        if (optimizedModelPath is not null) options.OptimizedModelFilePath = optimizedModelPath;
        session = new InferenceSession(model, options);
        inputName = session.InputMetadata.Keys.Single();
        OutputNames = session.OutputMetadata.Keys.ToArray();
    }

    /// <summary>Loads a model file.</summary>
    public static OnnxRuntimeModel FromFile(string path, int intraOpThreads = 0, string? optimizedModelPath = null) =>
        new(File.ReadAllBytes(path), intraOpThreads, optimizedModelPath);

    /// <summary>The graph's output names, in order.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Runs the model on a float batch and returns its first output.</summary>
    public Tensor Run(Tensor input) => RunAll(input)[0];

    /// <summary>Runs the model and returns every graph output, in <see cref="OutputNames"/> order (float outputs only).</summary>
    public Tensor[] RunAll(Tensor input)
    {
        using var cpu = input.detach().to(ScalarType.Float32, torch.CPU).contiguous();
        var data = new float[cpu.numel()];
        cpu.data<float>().CopyTo(data);
        using var value = OrtValue.CreateTensorValueFromMemory(data, cpu.shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, new[] { inputName }, new[] { value }, OutputNames);
        return outputs.Select(o =>
        {
            var shape = o.GetTensorTypeAndShape().Shape;
            return torch.tensor(o.GetTensorDataAsSpan<float>().ToArray(), shape);
        }).ToArray();
    }

    /// <summary>Top-1 accuracy over labelled batches (the batches are disposed).</summary>
    /// <exception cref="InvalidOperationException">No batch.</exception>
    public double Accuracy(IEnumerable<Kindling.Data.Loading.Batch> data)
    {
        long correct = 0, seen = 0;
        foreach (var batch in data)
        {
            using (batch)
            using (var scope = torch.NewDisposeScope())
            {
                correct += Run(batch.Images).argmax(1).eq(batch.Labels.to(torch.CPU)).sum().item<long>();
                seen += batch.Count;
            }
        }
        return seen > 0 ? (double)correct / seen : throw new InvalidOperationException("The split yielded no batches.");
    }

    /// <inheritdoc/>
    public void Dispose() => session.Dispose();
}
