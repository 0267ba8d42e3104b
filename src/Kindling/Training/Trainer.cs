using TorchSharp;
using System.Diagnostics;
using Kindling.Data.Loading;
using Kindling.Losses;
using Kindling.Optim;
using Kindling.Optim.Schedulers;
using Kindling.Runtime;
using Kindling.Training.Callbacks;
using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// Trains a classifier the way the seeds tuned it by hand, correctly by default: train/eval modes
/// switched, evaluation under inference mode, one dispose scope per step, gradients set to none,
/// gradient accumulation, clipping, a non-finite guard, mixed precision with master weights and loss
/// scaling, per-batch or per-epoch schedules stepped at the right place, EMA, early stopping,
/// best/last checkpoints and exact resume. Callbacks observe; they do not reach into the loop.
/// </summary>
public sealed class Trainer
{
    readonly List<ITrainerCallback> callbacks;

    public Trainer(TrainerOptions options, IEnumerable<ITrainerCallback>? callbacks = null)
    {
        Options = Validate(options);
        this.callbacks = callbacks?.ToList() ?? new List<ITrainerCallback>();
    }

    public TrainerOptions Options { get; }

    /// <summary>The state of the current or last Fit.</summary>
    public TrainerState State { get; private set; } = new();

    // The stepped parameters by name, for OnBeforeOptimizerStep (set per Fit).
    IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Parameter)> steppedNamed = [];

    /// <summary>
    /// Trains <paramref name="model"/> on <paramref name="train"/> for <see cref="TrainerOptions.Epochs"/> epochs,
    /// validating on <paramref name="validation"/> after each. With <paramref name="resumeFrom"/>, continues a run
    /// from its checkpoint exactly where it stopped. Cancelling finishes the current step, writes last.ckpt and returns.
    /// </summary>
    public FitResult Fit(nn.Module<Tensor, Tensor> model, DataLoader train, DataLoader? validation = null, string? resumeFrom = null,
        CancellationToken cancellation = default)
    {
        TorchRuntime.EnsureLoaded();
        if (Options.Threads is int threads) set_num_threads(threads);
        var device = Devices.Resolve(Options.Device);
        if (resumeFrom is null) Seeding.SeedTorch(Options.Seed);
        model.to(device);
        if (Options.ChannelsLast) ChannelsLast.Apply(model);
        int numClasses = train.Dataset.Classes.Count;

        MasterWeights? masters = Options.Precision == Precision.Fp32 ? null
            : new MasterWeights(model, Options.Precision == Precision.Bf16Mixed ? bfloat16 : float16);
        var computeType = masters?.ComputeType;
        var scaler = Options.Precision == Precision.Fp16Mixed ? new GradScaler() : null;
        var trainable = masters is not null
            ? masters.Named.Where(p => p.parameter.requires_grad).ToList()
            : model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        var stepParameters = trainable.Select(p => p.parameter).ToList();
        steppedNamed = trainable;

        int batches = train.Count;
        if (batches == 0) throw new InvalidOperationException($"the training loader yields no batches ({train.Dataset.Count} samples, batch size {train.Options.BatchSize}, drop_last {train.Options.DropLast}).");
        int accumulation = Options.AccumulationSteps;
        int stepsPerEpoch = (batches + accumulation - 1) / accumulation;
        int effectiveBatch = train.Options.BatchSize * accumulation;

        using var optimizer = OptimizerFactory.Create(new NamedParameters(trainable), Options.Optimizer, effectiveBatch);
        var schedule = ScheduleFactory.Create(optimizer, Options.Schedule, Options.Epochs, stepsPerEpoch);
        using var ema = Options.EmaDecay is double decay ? new ModelEma(model, decay, Options.EmaWarmup) : null;
        var early = Options.EarlyStopping is { } eso ? new EarlyStopping(eso.Monitor, eso.Mode, eso.Patience, eso.MinDelta) : null;
        ILoss criterion = new CrossEntropy(Options.LabelSmoothing);
        var distillation = Options.Distillation?.Loss(Options.LabelSmoothing);
        Options.Distillation?.To(device);

        State = new TrainerState { Epochs = Options.Epochs, BatchesPerEpoch = batches, StepsPerEpoch = stepsPerEpoch };
        var parts = new TrainingCheckpoint.Parts(model, masters, optimizer, schedule, scaler, ema, early, State, Options);
        if (resumeFrom is not null) TrainingCheckpoint.Restore(resumeFrom, parts);
        State.LearningRate = optimizer.ParamGroups.First().LearningRate;
        string? bestPath = Options.CheckpointDir is null ? null : Path.Combine(Options.CheckpointDir, "best.ckpt");
        string? lastPath = Options.CheckpointDir is null ? null : Path.Combine(Options.CheckpointDir, "last.ckpt");
        string endReason = "completed";

        foreach (var c in callbacks) c.OnFitStart(State);
        // Anomaly mode is process-wide in libtorch: on for this Fit only.
        using var anomaly = Options.DetectAnomaly ? autograd.set_detect_anomaly(true) : null;
        try
        {
            for (int epoch = State.Epoch + 1; epoch <= Options.Epochs; epoch++)
            {
                State.Epoch = epoch;
                foreach (var c in callbacks) c.OnEpochStart(State);
                var watch = Stopwatch.StartNew();
                train.SetEpoch(epoch - 1);
                var (trainLoss, trainAccuracy, gradNorm, images, interrupted) =
                    TrainEpoch(model, train, device, computeType, masters, scaler, optimizer, schedule, ema, criterion, distillation, stepParameters, parts, lastPath, cancellation);
                if (schedule is not null && schedule.Unit == ScheduleUnit.Epoch && schedule is not ReduceLROnPlateau && !interrupted)
                    schedule.Step();

                EvalResult? val = null, emaVal = null;
                if (validation is not null && !interrupted)
                {
                    val = Evaluator.Evaluate(model, validation, numClasses, device, Options.TopK, computeType, Options.ChannelsLast);
                    foreach (var c in callbacks) c.OnValidationEnd(State, val, false);
                    if (ema is not null)
                    {
                        using (ema.Swap(model))
                            emaVal = Evaluator.Evaluate(model, validation, numClasses, device, Options.TopK, computeType, Options.ChannelsLast);
                        foreach (var c in callbacks) c.OnValidationEnd(State, emaVal, true);
                    }
                }
                if (schedule is ReduceLROnPlateau plateau && val is not null)
                    plateau.Step(Options.Schedule.Mode == "max" ? val.Accuracy : val.Loss);

                var metrics = new EpochMetrics
                {
                    Epoch = epoch,
                    TrainLoss = trainLoss,
                    TrainAccuracy = trainAccuracy,
                    ValLoss = val?.Loss,
                    ValAccuracy = val?.Accuracy,
                    ValTopK = val?.TopK,
                    ValF1 = val?.Report.Macro.F1,
                    EmaValLoss = emaVal?.Loss,
                    EmaValAccuracy = emaVal?.Accuracy,
                    LearningRate = optimizer.ParamGroups.First().LearningRate,
                    GradNorm = gradNorm,
                    SkippedSteps = State.SkippedSteps,
                    Seconds = watch.Elapsed.TotalSeconds,
                    ImagesPerSecond = images / Math.Max(watch.Elapsed.TotalSeconds, 1e-9),
                };
                if (interrupted)
                {
                    // Epoch counts finished epochs; State.Progress says how far this one got, for resume.
                    State.Epoch = epoch - 1;
                    endReason = "interrupted";
                    if (lastPath is not null) SaveCheckpoint(lastPath, "last", parts);
                    break;
                }

                double? monitored = metrics.Get(Options.Monitor);
                bool improved = monitored is double m && (State.BestMetric is not double b || (Options.MonitorMode == "max" ? m > b : m < b));
                if (improved)
                {
                    State.BestMetric = monitored;
                    State.BestEpoch = epoch;
                    metrics = metrics with { Best = true };
                }
                State.History.Add(metrics);
                State.LearningRate = metrics.LearningRate;
                foreach (var c in callbacks) c.OnEpochEnd(State, metrics);

                bool stopEarly = early is not null && early.Update(metrics.Get(early.Monitor)
                    ?? throw new InvalidOperationException($"early stopping watches {early.Monitor}, which this run does not measure (is there a validation split?)."));
                if (improved && bestPath is not null) SaveCheckpoint(bestPath, "best", parts);
                if (lastPath is not null) SaveCheckpoint(lastPath, "last", parts);
                if (stopEarly)
                {
                    endReason = $"early stopping: {early!.Monitor} did not improve for {early.Patience} epochs";
                    break;
                }
                if (State.StopRequested)
                {
                    endReason = $"stopped: {State.StopReason}";
                    break;
                }
            }
        }
        finally
        {
            if (masters is not null)
            {
                masters.RestoreFp32(model);
                masters.Dispose();
            }
        }

        var result = new FitResult(State.History.ToList(), State.BestEpoch, State.BestMetric, endReason, State.SkippedSteps,
            bestPath is not null && File.Exists(bestPath) ? bestPath : null, lastPath is not null && File.Exists(lastPath) ? lastPath : null);
        foreach (var c in callbacks) c.OnFitEnd(State, result);
        return result;
    }

    (double Loss, double Accuracy, double? GradNorm, long Images, bool Interrupted) TrainEpoch(
        nn.Module<Tensor, Tensor> model, DataLoader train, Device device, ScalarType? computeType, MasterWeights? masters, GradScaler? scaler,
        optim.Optimizer optimizer, LrScheduler? schedule, ModelEma? ema, ILoss criterion, DistillationLoss? distillation, List<TorchSharp.Modules.Parameter> stepParameters,
        TrainingCheckpoint.Parts parts, string? lastPath, CancellationToken cancellation)
    {
        model.train();
        ZeroGrad(model, masters);
        int batches = State.BatchesPerEpoch, accumulation = Options.AccumulationSteps;
        var resumed = State.Progress;
        State.Progress = null;
        double lossSum = resumed?.LossSum ?? 0, correctSum = resumed?.CorrectSum ?? 0, normSum = resumed?.NormSum ?? 0;
        long seen = resumed?.Seen ?? 0, normCount = resumed?.NormCount ?? 0;
        int skip = resumed?.Batches ?? 0;
        var watch = Stopwatch.StartNew();
        var timer = Options.StepTimer;
        timer?.EpochStart(device);
        int index = 0;
        foreach (var batch in train)
        {
            using var _ = batch;
            timer?.PhaseEnd(StepPhase.Data);
            if (index < skip)
            {
                // Done before the interruption: the weights, optimizer and RNG already include these batches.
                index++;
                continue;
            }
            int windowStart = index / accumulation * accumulation;
            int window = Math.Min(accumulation, batches - windowStart);
            bool stepNow = index - windowStart == window - 1;
            double loss, correct;
            double? norm = null;
            bool stepped = false;
            using (var scope = NewDisposeScope())
            {
                var x = Evaluator.PrepareInput(batch.Images, device, computeType, Options.ChannelsLast);
                var y = batch.Labels.to(device);
                timer?.PhaseEnd(StepPhase.HostToDevice);
                Tensor lossTensor;
                Tensor logits;
                if (Options.BatchMix is { } mix)
                {
                    var mixed = mix.Apply(x, y, Seeding.For(Options.Seed, "batch-mix", State.Epoch, index));
                    logits = model.forward(mixed.Images).to(float32);
                    lossTensor = mixed.Loss(BatchLoss(criterion, distillation, mixed.Images), logits);
                    var predicted = logits.argmax(1);
                    correct = mixed.Lambda * predicted.eq(mixed.TargetsA).sum().item<long>() + (1 - mixed.Lambda) * predicted.eq(mixed.TargetsB).sum().item<long>();
                }
                else
                {
                    logits = model.forward(x).to(float32);
                    lossTensor = BatchLoss(criterion, distillation, x)(logits, y);
                    correct = logits.argmax(1).eq(y).sum().item<long>();
                }
                loss = lossTensor.item<float>();
                timer?.PhaseEnd(StepPhase.Forward);
                var scaled = lossTensor / window;
                Backward(scaler is not null ? scaler.ScaleLoss(scaled) : scaled, index);
                timer?.PhaseEnd(StepPhase.Backward);

                if (stepNow)
                {
                    masters?.GradientsToMasters();
                    scaler?.Unscale(stepParameters);
                    timer?.PhaseEnd(StepPhase.Optimizer);
                    foreach (var c in callbacks) c.OnBeforeOptimizerStep(State, index + 1, steppedNamed);
                    timer?.PhaseEnd(StepPhase.Logging);
                    if (Options.ClipGradNorm is double maxNorm) norm = nn.utils.clip_grad_norm_(stepParameters, maxNorm);
                    else if (Options.NonFinite != NonFiniteAction.Off) norm = GlobalNorm(stepParameters);
                    if (Options.ClipGradValue is double clip) nn.utils.clip_grad_value_(stepParameters, clip);

                    bool finite = double.IsFinite(loss) && (norm is not double n || double.IsFinite(n));
                    if (!finite && Options.NonFinite == NonFiniteAction.Stop)
                    {
                        // Weights are still those before this step: the last good state.
                        string? saved = null;
                        if (lastPath is not null)
                        {
                            saved = Path.Combine(Path.GetDirectoryName(lastPath)!, "last-good.ckpt");
                            SaveCheckpoint(saved, "last-good", parts);
                        }
                        throw new NonFiniteTrainingException(
                            $"the {(double.IsFinite(loss) ? "gradient norm" : "loss")} became {(double.IsFinite(loss) ? norm : loss)} at epoch {State.Epoch}, batch {index + 1}" +
                            $" (step {State.GlobalStep + 1}). Lower the learning rate, clip gradients (clip_grad_norm), or check the data for NaN." +
                            (saved is null ? "" : $" The last good state is in {saved}."), saved);
                    }
                    if (scaler is not null)
                    {
                        stepped = finite && scaler.Step(optimizer, stepParameters);
                        scaler.Update();
                    }
                    else if (finite || Options.NonFinite == NonFiniteAction.Off)
                    {
                        optimizer.step();
                        stepped = true;
                    }
                    if (!stepped) State.SkippedSteps++;
                    if (stepped) masters?.MastersToModel();
                    ZeroGrad(model, masters);
                    State.GlobalStep++;
                    if (schedule is not null && schedule.Unit == ScheduleUnit.Batch)
                    {
                        if (schedule is CosineAnnealingWarmRestarts warm && Options.Schedule.FractionalEpochs)
                            warm.Step(State.Epoch - 1 + (double)(index + 1) / batches);
                        else schedule.Step();
                    }
                    if (stepped) ema?.Update(model);
                    timer?.PhaseEnd(StepPhase.Optimizer);
                }
            }
            if (norm is double finiteNorm && double.IsFinite(finiteNorm))
            {
                normSum += finiteNorm;
                normCount++;
            }
            lossSum += loss * batch.Count;
            correctSum += correct;
            seen += batch.Count;
            index++;
            State.LearningRate = optimizer.ParamGroups.First().LearningRate;
            var info = new BatchInfo(index, batches, loss, correct / batch.Count, lossSum / seen, correctSum / seen, State.LearningRate,
                seen / Math.Max(watch.Elapsed.TotalSeconds, 1e-9), norm, stepped);
            foreach (var c in callbacks) c.OnBatchEnd(State, info);
            timer?.PhaseEnd(StepPhase.Logging);
            timer?.StepEnd();
            // Interrupt only between optimizer steps, so no half-accumulated gradient is lost.
            if (stepNow && cancellation.IsCancellationRequested && index < batches)
            {
                State.Progress = new EpochProgress(index, lossSum, correctSum, seen, normSum, normCount);
                return (lossSum / seen, correctSum / seen, normCount > 0 ? normSum / normCount : null, seen, true);
            }
        }
        return (lossSum / Math.Max(seen, 1), correctSum / Math.Max(seen, 1), normCount > 0 ? normSum / normCount : null, seen, false);
    }

    /// <summary>
    /// The loss of one batch: the criterion, or with distillation the teacher's logits on the very images the
    /// student saw (the mixed batch under mixup/CutMix) against the student's. Under mixing the distillation loss
    /// is mixed over both targets like any loss; its KL term does not depend on the targets, so only the
    /// cross-entropy is mixed.
    /// </summary>
    Func<Tensor, Tensor, Tensor> BatchLoss(ILoss criterion, DistillationLoss? distillation, Tensor input)
    {
        if (distillation is null) return criterion.Forward;
        var teacher = Options.Distillation!.TeacherLogits(input);
        return (logits, targets) => distillation.Forward(logits, teacher, targets);
    }

    /// <summary>loss.backward(); under anomaly mode, libtorch's error (which names the op whose backward returned NaN) says where in training it happened.</summary>
    void Backward(Tensor loss, int index)
    {
        if (!Options.DetectAnomaly)
        {
            loss.backward();
            return;
        }
        try
        {
            loss.backward();
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException)
        {
            throw new NonFiniteTrainingException($"anomaly mode: at epoch {State.Epoch}, batch {index + 1} (step {State.GlobalStep + 1}), backward failed: " +
                $"{e.Message.Split('\n')[0].Trim()} That op (or the forward op it belongs to) produced the NaN: guard it (clamp, add an epsilon, mask before the op, not after).", null);
        }
    }

    /// <summary>The global L2 norm of the gradients with one device sync per step (not one per parameter); called inside the step's dispose scope.</summary>
    static double GlobalNorm(IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        var norms = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!.detach().to(float32).norm()).ToArray();
        return norms.Length == 0 ? 0 : stack(norms).norm().item<float>();
    }

    static void ZeroGrad(nn.Module model, MasterWeights? masters)
    {
        model.zero_grad(set_to_none: true);
        masters?.ZeroGrad();
    }

    void SaveCheckpoint(string path, string kind, TrainingCheckpoint.Parts parts)
    {
        TrainingCheckpoint.Save(path, kind, parts);
        foreach (var c in callbacks) c.OnCheckpoint(State, path, kind);
    }

    static TrainerOptions Validate(TrainerOptions o)
    {
        if (o.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(o), o.Epochs, "epochs must be >= 1.");
        if (o.AccumulationSteps < 1) throw new ArgumentOutOfRangeException(nameof(o), o.AccumulationSteps, "accumulation steps must be >= 1.");
        if (o.ClipGradNorm is <= 0) throw new ArgumentOutOfRangeException(nameof(o), o.ClipGradNorm, "clip_grad_norm must be > 0.");
        if (o.ClipGradValue is <= 0) throw new ArgumentOutOfRangeException(nameof(o), o.ClipGradValue, "clip_grad_value must be > 0.");
        if (o.MonitorMode is not ("min" or "max")) throw new ArgumentException($"monitor mode '{o.MonitorMode}' is not known: expected 'min' or 'max'.");
        if (o.TopK < 1) throw new ArgumentOutOfRangeException(nameof(o), o.TopK, "top_k must be >= 1.");
        return o;
    }

    /// <summary>A module view over an explicit parameter list (the fp32 masters), so the optimizer factory can group them by name.</summary>
    sealed class NamedParameters : nn.Module
    {
        readonly List<(string name, TorchSharp.Modules.Parameter parameter)> list;

        public NamedParameters(List<(string name, TorchSharp.Modules.Parameter parameter)> list) : base(nameof(NamedParameters)) => this.list = list;

        public override IEnumerable<(string name, TorchSharp.Modules.Parameter parameter)> named_parameters(bool recurse = true) => list;
    }
}
