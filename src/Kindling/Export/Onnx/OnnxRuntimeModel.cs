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
        // Idle pool threads sleep instead of spinning: spinning threads would steal the cores from
        // whatever runs next (another engine being timed, the data loader).
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
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

    /// <summary>Top-1 predictions and labels over labelled batches (the batches are disposed).</summary>
    public (long[] Predictions, long[] Labels) Predict(IEnumerable<Kindling.Data.Loading.Batch> data)
    {
        var predictions = new List<long>();
        var labels = new List<long>();
        foreach (var batch in data)
        {
            using (batch)
            using (var scope = torch.NewDisposeScope())
            {
                predictions.AddRange(Run(batch.Images).argmax(1).data<long>().ToArray());
                labels.AddRange(batch.Labels.to(ScalarType.Int64).data<long>().ToArray());
            }
        }
        return (predictions.ToArray(), labels.ToArray());
    }

    /// <inheritdoc/>
    public void Dispose() => session.Dispose();
}
