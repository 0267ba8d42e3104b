using Kindling.Data.BatchMix;
using Kindling.Optim;
using Kindling.Optim.Schedulers;

namespace Kindling.Training;

/// <summary>Everything about how a model is trained (the engineering, not the science).</summary>
public sealed record TrainerOptions
{
    public int Epochs { get; init; } = 10;
    public OptimizerOptions Optimizer { get; init; } = new();
    public ScheduleOptions Schedule { get; init; } = new();
    /// <summary>Label smoothing of the classification short form's cross-entropy (<see cref="Tasks.ClassificationOptions"/>).</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>
    /// Batches whose gradients are summed before one optimizer step. Each batch's loss is divided by
    /// the number of batches in its window, so the update equals one step on the concatenated batch
    /// (without BatchNorm). The last window of an epoch may be shorter; it is divided by its own length.
    /// </summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>Clip the global gradient norm (of <see cref="ClipGradNormType"/>, L2 by default) to this; the pre-clip norm is reported.</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>
    /// The p of the p-norm that <see cref="ClipGradNorm"/> clips (PyTorch's clip_grad_norm_ norm_type): 2 by default,
    /// <see cref="double.PositiveInfinity"/> for the largest absolute gradient element. The reported pre-clip norm is this norm.
    /// </summary>
    public double ClipGradNormType { get; init; } = 2;

    /// <summary>Clip every gradient element to [-v, v].</summary>
    public double? ClipGradValue { get; init; }

    public NonFiniteAction NonFinite { get; init; } = NonFiniteAction.Skip;

    /// <summary>
    /// With <see cref="NonFiniteAction.Skip"/>: this many skipped steps in a row stop the run (it is not recovering), with
    /// the last good state saved. Well above what fp16's loss scaler skips while it backs off from its first scale.
    /// </summary>
    public int MaxConsecutiveSkips { get; init; } = 100;
    public Precision Precision { get; init; } = Precision.Fp32;

    /// <summary>auto, cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Intra-op threads for libtorch; null leaves libtorch's default (one per core).</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// TF32 tensor-core math for CUDA matmuls and cuDNN convolutions (torch.backends.cuda.matmul.allow_tf32 and
    /// torch.backends.cudnn.allow_tf32); null leaves libtorch's defaults. CPU: no effect. (TorchSharp 0.107 binds no
    /// cudnn.benchmark, so Kindling has no key for it.)
    /// </summary>
    public bool? Tf32 { get; init; }

    /// <summary>Feed conv models NHWC-strided inputs (channels-last).</summary>
    public bool ChannelsLast { get; init; }

    /// <summary>Drives initialisation-independent randomness of the run: dropout, batch mixing.</summary>
    public long Seed { get; init; }

    /// <summary>Keep an exponential moving average of the weights with this decay, evaluated alongside; null: none.</summary>
    public double? EmaDecay { get; init; }

    public bool EmaWarmup { get; init; } = true;
    public EarlyStoppingOptions? EarlyStopping { get; init; }

    /// <summary>Batch-level Mixup/CutMix of the classification short form; null: none.</summary>
    public IBatchMix? BatchMix { get; init; }

    /// <summary>Where best.ckpt and last.ckpt go; null: no checkpoints.</summary>
    public string? CheckpointDir { get; init; }

    /// <summary>Metric deciding the best checkpoint; null: the task's default (a classifier's val_accuracy).</summary>
    public string? Monitor { get; init; }

    /// <summary>"min" or "max"; null: the direction the task declares for the monitored metric.</summary>
    public string? MonitorMode { get; init; }

    /// <summary>The k of the top-k accuracy the classification short form reports.</summary>
    public int TopK { get; init; } = 5;

    /// <summary>Told where each step's time goes (a profiler); null: no timing.</summary>
    public IStepTimer? StepTimer { get; init; }

    /// <summary>Run with libtorch's autograd anomaly mode: backward stops at the first op whose gradient is NaN and names it (slow; for debugging).</summary>
    public bool DetectAnomaly { get; init; }

    /// <summary>
    /// Data-parallel training: the replicas' gradient all-reduce and agreement (Distributed/GradientAllReducer under mpirun);
    /// null trains in this process alone. With it, the batch size the loader gives is each replica's, the linear scaling
    /// rule uses the global batch (batch x accumulation x world size), and only replica 0 writes checkpoints.
    /// </summary>
    public IGradientReducer? GradientReducer { get; init; }

    /// <summary>The resolved recipe, stored in checkpoints.</summary>
    public string? ConfigText { get; init; }
}
