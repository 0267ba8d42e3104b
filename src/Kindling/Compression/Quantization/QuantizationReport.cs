using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kindling.Compression.Quantization;

/// <summary>What <c>Config.Tools.CheckpointQuantizer</c> (<c>kindling quantize</c>) measured: sizes, accuracies, timings and the kernels ONNX Runtime chose.</summary>
public sealed record QuantizationReport
{
    /// <summary>The checkpoint quantized.</summary>
    public required string Checkpoint { get; init; }
    /// <summary>static, dynamic or qat.</summary>
    public required string Mode { get; init; }
    /// <summary>The observer (static mode), else null.</summary>
    public string? Observer { get; init; }
    /// <summary>Calibration batches x images.</summary>
    public int CalibrationImages { get; init; }
    /// <summary>QAT epochs (qat mode).</summary>
    public int? QatEpochs { get; init; }
    /// <summary>The data set and split of the accuracies.</summary>
    public required string Data { get; init; }
    /// <summary>holdout or test.</summary>
    public required string Split { get; init; }
    /// <summary>Images the accuracies are over.</summary>
    public long Samples { get; init; }
    /// <summary>Bytes of the float ONNX file.</summary>
    public long Fp32OnnxBytes { get; init; }
    /// <summary>Bytes of the INT8 ONNX file.</summary>
    public long Int8OnnxBytes { get; init; }
    /// <summary>Float TorchSharp accuracy.</summary>
    public double Fp32TorchAccuracy { get; init; }
    /// <summary>Float ONNX Runtime accuracy.</summary>
    public double Fp32OnnxAccuracy { get; init; }
    /// <summary>INT8 ONNX Runtime accuracy.</summary>
    public double Int8Accuracy { get; init; }
    /// <summary>Fraction of images where INT8 and float ONNX Runtime predict the same class.</summary>
    public double Agreement { get; init; }
    /// <summary>Threads for every engine.</summary>
    public int Threads { get; init; }
    /// <summary>Batch size of the throughput numbers.</summary>
    public int ThroughputBatch { get; init; }
    /// <summary>Per engine: batch-1 latency and large-batch throughput, measured alternately.</summary>
    public required IReadOnlyList<InferenceTiming.Result> Timings { get; init; }
    /// <summary>Operator counts of the INT8 graph after ONNX Runtime's optimizations (QLinearConv, QGemm, ...).</summary>
    public required IReadOnlyDictionary<string, int> Int8Kernels { get; init; }
    /// <summary>The 1-minute load average when timing started: the machine's contention.</summary>
    public double LoadAverage { get; init; }
    /// <summary>Processor count.</summary>
    public int Cores { get; init; }

    /// <summary>INT8 throughput over float TorchSharp's.</summary>
    public double SpeedupVsTorch => Timings[2].ImagesPerSecond / Timings[0].ImagesPerSecond;
    /// <summary>Float ONNX file size over the INT8 one.</summary>
    public double SizeRatio => (double)Fp32OnnxBytes / Int8OnnxBytes;

    /// <summary>The report as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });

    /// <summary>The report as Markdown.</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(c, $"# INT8 {Mode} quantization of `{Checkpoint}`").AppendLine();
        s.AppendLine(c, $"{Mode}{(Observer is null ? "" : $", {Observer} observer")}{(CalibrationImages > 0 ? $", calibrated on {CalibrationImages:N0} training images" : "")}{(QatEpochs is int e ? $", {e} QAT epoch(s)" : "")}.").AppendLine();
        s.AppendLine("| | size on disk | accuracy | batch-1 latency | batch-" + ThroughputBatch + " throughput |");
        s.AppendLine("|---|---:|---:|---:|---:|");
        s.AppendLine(c, $"| {Timings[0].Name} | {Fp32OnnxBytes / 1e6:F1} MB (ONNX) | {Fp32TorchAccuracy:P2} | {Timings[0].LatencyMs:F2} ms | {Timings[0].ImagesPerSecond:F0} img/s |");
        s.AppendLine(c, $"| {Timings[1].Name} | {Fp32OnnxBytes / 1e6:F1} MB | {Fp32OnnxAccuracy:P2} | {Timings[1].LatencyMs:F2} ms | {Timings[1].ImagesPerSecond:F0} img/s |");
        s.AppendLine(c, $"| {Timings[2].Name} | {Int8OnnxBytes / 1e6:F1} MB | {Int8Accuracy:P2} | {Timings[2].LatencyMs:F2} ms | {Timings[2].ImagesPerSecond:F0} img/s |");
        s.AppendLine();
        s.AppendLine(c, $"- INT8 vs float TorchSharp: {SpeedupVsTorch:F2}x throughput at batch {ThroughputBatch}, {Timings[0].LatencyMs / Timings[2].LatencyMs:F2}x faster at batch 1, {SizeRatio:F2}x smaller, {(Int8Accuracy - Fp32TorchAccuracy) * 100:+0.00;-0.00} accuracy points ({Split}, {Samples:N0} images of {Data}); INT8 and float agree on {Agreement:P2} of the predictions.");
        s.AppendLine(c, $"- ONNX Runtime's INT8 kernels after graph optimization: {string.Join(", ", Int8Kernels.OrderByDescending(k => k.Value).Select(k => $"{k.Key} x{k.Value}"))}.");
        s.AppendLine(c, $"- Threads: {Threads} for TorchSharp and ONNX Runtime (intra-op). Engines timed alternately; load average {LoadAverage:F1} on {Cores} cores when timing began (numbers under contention are lower, ratios hold better).");
        return s.ToString();
    }
}
