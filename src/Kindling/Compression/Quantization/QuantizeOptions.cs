namespace Kindling.Compression.Quantization;

/// <summary>What <c>Config.Tools.CheckpointQuantizer</c> (<c>kindling quantize</c>) does and measures.</summary>
public sealed record QuantizeOptions
{
    /// <summary>Static, dynamic or quantization-aware training.</summary>
    public QuantizationMode Mode { get; init; } = QuantizationMode.Static;

    /// <summary>Calibration batches (of <see cref="CalibrationBatchSize"/> training images, eval transform) for static and QAT.</summary>
    public int CalibrationBatches { get; init; } = 32;

    /// <summary>Images per calibration batch.</summary>
    public int CalibrationBatchSize { get; init; } = 64;

    /// <summary>The activation observer of static quantization.</summary>
    public ObserverKind Observer { get; init; } = ObserverKind.MinMax;

    /// <summary>The percentile observer's upper quantile.</summary>
    public double Percentile { get; init; } = 0.9999;

    /// <summary>A data spec replacing the recipe's, or null.</summary>
    public string? Data { get; init; }

    /// <summary>The split accuracy is measured on: "holdout" (the recipe's validation set) or "test".</summary>
    public string Split { get; init; } = "holdout";

    /// <summary>QAT fine-tuning epochs.</summary>
    public int QatEpochs { get; init; } = 1;

    /// <summary>QAT fine-tunes on a stratified subset of this many training images per epoch (null: all), for a short run on a small machine.</summary>
    public int? QatTrainImages { get; init; }

    /// <summary>QAT learning rate as a fraction of the recipe's (fine-tuning a trained model wants a small one).</summary>
    public double QatLrScale { get; init; } = 0.1;

    /// <summary>Threads for TorchSharp and ONNX Runtime's intra-op pool alike, so the timings compare.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Timing rounds (each times every engine once, alternating).</summary>
    public int TimingRounds { get; init; } = 5;

    /// <summary>Batch size of the throughput measurement.</summary>
    public int ThroughputBatch { get; init; } = 64;

    /// <summary>Progress lines, or null.</summary>
    public Action<string>? Log { get; init; }
}
