using System.Diagnostics;
using Kindling.Data.Loading;
using Kindling.Optim.Schedulers;
using Kindling.Runtime;
using Kindling.Training.Callbacks;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// Trains any <see cref="TrainingTask"/> correctly by default: train/eval modes switched, validation under inference
/// mode, one dispose scope per step, gradients set to none, accumulation, clipping, a non-finite guard, mixed precision
/// with master weights and loss scaling, schedules stepped at their unit, EMA, early stopping on any metric, best/last
/// checkpoints and exact resume (the step itself is <see cref="TrainingSession"/>'s). Callbacks observe; they do not
/// reach into the loop. <c>Fit(model, train, validation)</c> is the short form for a classifier.
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

    /// <summary>
    /// Trains a classifier (<see cref="ClassificationTask"/> with the options' label smoothing, batch mixing and top-k):
    /// the short form of <see cref="Fit(TrainingTask, IBatchSource, IBatchSource?, string?, CancellationToken)"/>.
    /// </summary>
    public FitResult Fit(nn.Module<Tensor, Tensor> model, DataLoader train, DataLoader? validation = null, string? resumeFrom = null,
        CancellationToken cancellation = default) =>
        Fit(new ClassificationTask(model, train.Dataset.Classes.Count, ClassificationOptions.From(Options)), train, validation, resumeFrom, cancellation);

    /// <summary>
    /// Trains <paramref name="task"/> on <paramref name="train"/> for <see cref="TrainerOptions.Epochs"/> epochs, validating
    /// on <paramref name="validation"/> after each. With <paramref name="resumeFrom"/>, continues a run from its checkpoint
    /// exactly where it stopped. Cancelling finishes the current optimizer step, writes last.ckpt and returns.
    /// </summary>
    public FitResult Fit(TrainingTask task, IBatchSource train, IBatchSource? validation = null, string? resumeFrom = null,
        CancellationToken cancellation = default)
    {
        TorchRuntime.EnsureLoaded();
        if (Options.Threads is int threads) set_num_threads(threads);
        if (Options.Tf32 is bool tf32)
        {
            backends.cuda.matmul.allow_tf32 = tf32;
            backends.cudnn.allow_tf32 = tf32;
        }
        int batches = train.Count;
        if (batches == 0) throw new InvalidOperationException($"the training loader yields no batches ({train.SampleCount} samples, batch size {train.BatchSize}{(train is DataLoader l ? $", drop_last {l.Options.DropLast}" : "")}).");
        var monitor = MetricSpec.Resolve(task.Metrics, task.DefaultMonitor, Options.Monitor, Options.MonitorMode);
        State = new TrainerState
        {
            Epochs = Options.Epochs, BatchesPerEpoch = batches, StepsPerEpoch = Steps(batches),
            // A curriculum's epochs grow: the schedules are sized by the steps the run will really take.
            StepsByEpoch = Enumerable.Range(0, Options.Epochs).Select(e => Steps(train.CountAt(e))).ToArray(),
        };
        using var session = TrainingSession.Open(task, Options, State, train.BatchSize, callbacks, fresh: resumeFrom is null);
        var early = Options.EarlyStopping is { } eso ? new EarlyStopping(eso.Monitor, eso.Mode, eso.Patience, eso.MinDelta) : null;
        var parts = new TrainingCheckpoint.Parts(session, early, State, Options);
        if (resumeFrom is not null) TrainingCheckpoint.Restore(resumeFrom, parts);
        session.SeedReplica();
        State.AveragedWeights = session.Ema is { } ema ? () => ema.Swap(session.Task.Network) : null;
        State.LearningRate = session.Slots[0].LearningRate;
        // Data-parallel replicas hold the same state: replica 0 alone writes it.
        var checkpointDir = Options.GradientReducer is { Rank: > 0 } ? null : Options.CheckpointDir;
        string? bestPath = checkpointDir is null ? null : Path.Combine(checkpointDir, "best.ckpt");
        string? lastPath = checkpointDir is null ? null : Path.Combine(checkpointDir, "last.ckpt");
        session.SaveLastGood = () => lastPath is null ? null : SaveCheckpoint(Path.Combine(Path.GetDirectoryName(lastPath)!, "last-good.ckpt"), "last-good", parts);
        string endReason = "completed";

        foreach (var c in callbacks) c.OnFitStart(State);
        // Anomaly mode is process-wide in libtorch: on for this Fit only.
        using var anomaly = Options.DetectAnomaly ? autograd.set_detect_anomaly(true) : null;
        for (int epoch = State.Epoch + 1; epoch <= Options.Epochs; epoch++)
        {
            State.Epoch = epoch;
            train.SetEpoch(epoch - 1);
            State.BatchesPerEpoch = train.Count;
            State.StepsPerEpoch = Steps(State.BatchesPerEpoch);
            foreach (var c in callbacks) c.OnEpochStart(State);
            var watch = Stopwatch.StartNew();
            var (interrupted, seen, gradNorm) = TrainEpoch(session, train, cancellation);
            if (interrupted)
            {
                // Epoch counts finished epochs; State.Progress says how far this one got, for resume.
                State.Epoch = epoch - 1;
                endReason = "interrupted";
                if (lastPath is not null) SaveCheckpoint(lastPath, "last", parts);
                break;
            }
            session.StepEpochSchedules();
            seen = SumAcrossReplicas(seen);
            var values = Prefixed(MetricName.Train, ReplicaSums(session.Sums).Means(), task);
            if (validation is not null) Validate(session, validation, values);
            StepPlateau(session, values, monitor);
            var metrics = new EpochMetrics
            {
                Epoch = epoch,
                Values = values,
                LearningRate = session.Slots[0].LearningRate,
                GradNorm = gradNorm,
                SkippedSteps = State.SkippedSteps,
                Seconds = watch.Elapsed.TotalSeconds,
                ImagesPerSecond = seen / Math.Max(watch.Elapsed.TotalSeconds, 1e-9),
            };
            bool improved = metrics.Get(monitor.Name) is double m && (State.BestMetric is not double b || (monitor.HigherIsBetter ? m > b : m < b));
            if (improved)
            {
                State.BestMetric = metrics.Get(monitor.Name);
                State.BestEpoch = epoch;
                metrics = metrics with { Best = true };
            }
            State.History.Add(metrics);
            State.LearningRate = metrics.LearningRate;
            foreach (var c in callbacks) c.OnEpochEnd(State, metrics);

            bool stopEarly = early is not null && early.Update(metrics.Get(early.Monitor)
                ?? throw new InvalidOperationException($"early stopping watches {early.Monitor}, which this run does not measure (it measures {string.Join(", ", metrics.Values.Keys)})."));
            if (improved && bestPath is not null) SaveCheckpoint(bestPath, "best", parts);
            if (lastPath is not null) SaveCheckpoint(lastPath, "last", parts);
            if (stopEarly)
            {
                endReason = $"early stopping: {early!.Monitor} did not improve for {early.Patience} epochs";
                break;
            }
            // A stop asked on one replica (a callback's) stops them all, or the others would wait for it at the next step.
            if (Options.GradientReducer is { } agree && !agree.AllTrue(!State.StopRequested) && !State.StopRequested) State.RequestStop("another replica stopped");
            if (State.StopRequested)
            {
                endReason = $"stopped: {State.StopReason}";
                break;
            }
        }

        var result = new FitResult(State.History.ToList(), State.BestEpoch, State.BestMetric, endReason, State.SkippedSteps,
            bestPath is not null && File.Exists(bestPath) ? bestPath : null, lastPath is not null && File.Exists(lastPath) ? lastPath : null);
        foreach (var c in callbacks) c.OnFitEnd(State, result);
        return result;
    }

    /// <summary>One epoch of the session's step over the loader, resumable mid-epoch. Returns whether it was interrupted, the samples seen and the mean gradient norm.</summary>
    (bool Interrupted, long Seen, double? GradNorm) TrainEpoch(TrainingSession session, IBatchSource train, CancellationToken cancellation)
    {
        session.Task.Network.train();
        session.ZeroGrad();
        var resumed = State.Progress;
        State.Progress = null;
        // An interrupted data-parallel epoch saved every rank's sums and images together: one rank carries them on.
        bool carries = Options.GradientReducer is not { Rank: > 0 };
        session.Sums = MetricSums.FromState(carries ? resumed?.Sums : null);
        // The loss leads the running metrics (progress lines read "loss ... acc ..."), though the engine logs it after the task's step.
        if (resumed is null && session.Task.AutomaticOptimization) session.Sums.Add("loss", 0, 0);
        long seen = carries ? resumed?.Seen ?? 0 : 0, normCount = resumed?.NormCount ?? 0;
        double normSum = resumed?.NormSum ?? 0;
        int skip = resumed?.Batches ?? 0, index = 0;
        var watch = Stopwatch.StartNew();
        var timer = Options.StepTimer;
        timer?.EpochStart(session.Device);
        foreach (var batch in train)
        {
            using var _ = batch;
            timer?.PhaseEnd(StepPhase.Data);
            // Batches done before an interruption: the weights, optimizer and RNG already include them.
            if (index++ < skip) continue;
            var step = session.RunBatch(batch, index - 1);
            if (step.GradNorm is double norm && double.IsFinite(norm))
            {
                normSum += norm;
                normCount++;
            }
            seen += batch.Count;
            State.LearningRate = session.Slots[0].LearningRate;
            // Progress shows this replica's metrics; every replica sees as many images, so the job's rate is this one's times the world.
            var info = new BatchInfo(index, State.BatchesPerEpoch, step.Loss, session.Sums.Means(), State.LearningRate,
                seen * (Options.GradientReducer?.WorldSize ?? 1) / Math.Max(watch.Elapsed.TotalSeconds, 1e-9), step.GradNorm, step.Stepped);
            foreach (var c in callbacks) c.OnBatchEnd(State, info);
            timer?.PhaseEnd(StepPhase.Logging);
            timer?.StepEnd();
            // Interrupt only between optimizer steps, so no half-accumulated gradient is lost.
            if (step.EndedWindow && Cancelled(cancellation) && index < State.BatchesPerEpoch)
            {
                State.Progress = new EpochProgress(index, ReplicaSums(session.Sums).ToState(), SumAcrossReplicas(seen), normSum, normCount);
                return (true, seen, null);
            }
        }
        return (false, seen, normCount > 0 ? normSum / normCount : null);
    }

    /// <summary>The task's validation metrics (val_*), and the EMA weights' (ema_val_*) when EMA is on, added to <paramref name="values"/>.</summary>
    void Validate(TrainingSession session, IBatchSource validation, Dictionary<string, double> values)
    {
        var val = RunValidation(session, validation, ema: false);
        if (val is null) return;
        foreach (var (k, v) in val.Metrics) values[MetricName.Validation + k] = v;
        foreach (var c in callbacks) c.OnValidationEnd(State, val, false);
        if (session.Ema is null) return;
        TaskValidation? emaVal;
        using (session.Ema.Swap(session.Task.Network)) emaVal = RunValidation(session, validation, ema: true);
        foreach (var (k, v) in emaVal!.Metrics) values[MetricName.EmaValidation + k] = v;
        foreach (var c in callbacks) c.OnValidationEnd(State, emaVal, true);
    }

    TaskValidation? RunValidation(TrainingSession session, IBatchSource validation, bool ema) =>
        Evaluate(session.Task, validation, session.Device, session.ComputeType, Options.ChannelsLast, State.Epoch, ema, Options.GradientReducer);

    /// <summary>Whether to stop after this optimizer step: asked here or, with replicas, on any of them (they must stop at the same step).</summary>
    bool Cancelled(CancellationToken cancellation) =>
        Options.GradientReducer is { } reducer ? !reducer.AllTrue(!cancellation.IsCancellationRequested) : cancellation.IsCancellationRequested;

    /// <summary>The epoch's logged sums over every replica's batches (sums and weights added: exact weighted means, not means of means).</summary>
    MetricSums ReplicaSums(MetricSums sums)
    {
        if (Options.GradientReducer is not { } reducer) return sums;
        var state = sums.ToState();
        // In name order, the same on every rank whatever order each logged them in; the result keeps this rank's order.
        var names = state.Keys.Order(StringComparer.Ordinal).ToList();
        var flat = reducer.Sum(names.SelectMany(n => state[n]).ToArray());
        var total = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => new[] { flat[2 * p.i], flat[2 * p.i + 1] });
        return MetricSums.FromState(state.Keys.ToDictionary(k => k, k => total[k]));
    }

    long SumAcrossReplicas(long value) => Options.GradientReducer is { } reducer ? (long)reducer.Sum([value])[0] : value;

    /// <summary>
    /// The task's metrics on <paramref name="data"/> as validation measures them: the modules in eval mode (restored after),
    /// inference mode on. For a test split after training, or any split of a trained task.
    /// </summary>
    /// <remarks>With data-parallel replicas each validating its own shard, <paramref name="replicas"/> sums the task's counts
    /// across them (a task that <see cref="TrainingTask.ReducesValidation"/>); null: this process's data are the whole split.</remarks>
    public static TaskValidation? Evaluate(TrainingTask task, IBatchSource data, Device device, ScalarType? computeType = null, bool channelsLast = false,
        int epoch = 0, bool ema = false, IGradientReducer? replicas = null)
    {
        var network = task.Network;
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var _ = inference_mode();
            // Loader threads run beside the task's validation: every temporary in a scope (docs/ARCHITECTURE.md, "Threads").
            using var scope = NewDisposeScope();
            return task.Validate(data, new ValidationContext(device, computeType, channelsLast, epoch, ema, replicas));
        }
        finally
        {
            network.train(wasTraining);
        }
    }

    /// <summary>ReduceLROnPlateau steps on its schedule's metric (by default val_loss in min mode, val_accuracy in max mode, else the monitor).</summary>
    void StepPlateau(TrainingSession session, Dictionary<string, double> values, MetricSpec monitor)
    {
        foreach (var slot in session.Slots)
        {
            if (slot.Schedule is not ReduceLROnPlateau plateau) continue;
            var schedule = slot.Spec.Schedule ?? Options.Schedule;
            var name = schedule.Monitor ?? (schedule.Mode == "max" ? "val_accuracy" : "val_loss");
            if (!values.TryGetValue(name, out var value) && !values.TryGetValue(monitor.Name, out value)) continue;
            plateau.Step(value);
        }
    }

    /// <summary>The task's metrics under <paramref name="prefix"/>, in the order the task declares them (then any others as logged).</summary>
    static Dictionary<string, double> Prefixed(string prefix, IReadOnlyDictionary<string, double> means, TrainingTask task)
    {
        var order = task.Metrics.Select((m, i) => (m.Name, i)).ToDictionary(p => p.Name, p => p.i);
        return means.Select((kv, i) => (Name: prefix + kv.Key, kv.Value, Logged: i))
            .OrderBy(m => order.TryGetValue(m.Name, out var o) ? o : int.MaxValue).ThenBy(m => m.Logged)
            .ToDictionary(m => m.Name, m => m.Value);
    }

    string SaveCheckpoint(string path, string kind, TrainingCheckpoint.Parts parts)
    {
        TrainingCheckpoint.Save(path, kind, parts);
        foreach (var c in callbacks) c.OnCheckpoint(State, path, kind);
        return path;
    }

    static TrainerOptions Validate(TrainerOptions o)
    {
        if (o.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(o), o.Epochs, "epochs must be >= 1.");
        if (o.MaxConsecutiveSkips < 1) throw new ArgumentOutOfRangeException(nameof(o), o.MaxConsecutiveSkips, "max consecutive skips must be >= 1.");
        if (o.AccumulationSteps < 1) throw new ArgumentOutOfRangeException(nameof(o), o.AccumulationSteps, "accumulation steps must be >= 1.");
        if (o.ClipGradNorm is <= 0) throw new ArgumentOutOfRangeException(nameof(o), o.ClipGradNorm, "clip_grad_norm must be > 0.");
        if (!(o.ClipGradNormType > 0)) throw new ArgumentOutOfRangeException(nameof(o), o.ClipGradNormType, "clip_grad_norm_type must be > 0 (2 is the usual L2 norm; infinity is the max norm).");
        if (o.ClipGradValue is <= 0) throw new ArgumentOutOfRangeException(nameof(o), o.ClipGradValue, "clip_grad_value must be > 0.");
        if (o.MonitorMode is not (null or "min" or "max")) throw new ArgumentException($"monitor mode '{o.MonitorMode}' is not known: expected 'min' or 'max'.");
        if (o.TopK < 1) throw new ArgumentOutOfRangeException(nameof(o), o.TopK, "top_k must be >= 1.");
        return o;
    }

    // Optimizer steps in an epoch of this many batches: the last window may be short.
    int Steps(int batches) => (batches + Options.AccumulationSteps - 1) / Options.AccumulationSteps;
}
