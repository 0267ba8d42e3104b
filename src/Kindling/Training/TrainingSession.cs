using Kindling.Data.Loading;
using Kindling.Optim.Schedulers;
using Kindling.Runtime;
using Kindling.Training.Callbacks;
using Kindling.Training.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// The engine's step, written once for every task: a task's modules on the device (mixed precision with fp32
/// masters, channels-last), its optimizers with their schedules and the loss scaler, the EMA, and
/// <see cref="RunBatch"/>: one batch through the task's step with accumulation, clipping, the non-finite guard and
/// the gradient hook. <see cref="Trainer"/> runs epochs of it; the LR finder, the batch-size finder, the doctor and
/// the benchmarks run single steps of it, so what they probe is what trains.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    readonly IReadOnlyList<ITrainerCallback> callbacks;
    readonly StepContext context;
    readonly Dictionary<string, OptimizerSlot> byName;
    readonly Dictionary<OptimizerSlot, HashSet<string>> slotNames = new();
    bool foundInfInWindow, steppedInWindow;
    double? firstSlotNorm;
    int consecutiveSkips;
    // The network's floating-point buffers (BatchNorm statistics) as they were when the window began: a skipped step
    // puts them back, since the forward passes that made the non-finite loss already moved them.
    List<(string Name, Tensor Buffer, Tensor Saved)>? windowBuffers;

    TrainingSession(TrainingTask task, TrainerOptions options, TrainerState state, IReadOnlyList<ITrainerCallback> callbacks, int batchSize, bool fresh)
    {
        Task = task;
        Options = options;
        State = state;
        this.callbacks = callbacks;
        Device = Devices.Resolve(options.Device);
        if (fresh) Seeding.SeedTorch(options.Seed);
        var network = task.Network;
        network.to(Device);
        if (options.ChannelsLast) ChannelsLast.Apply(network);
        task.OnDevice(Device);
        // Data-parallel replicas start from replica 0's weights and buffers (their own builds are seeded alike, but a
        // recipe or library difference must not make them train different models).
        options.GradientReducer?.Broadcast(network.named_parameters().Select(p => (Tensor)p.parameter)
            .Concat(network.named_buffers().Select(b => b.buffer)).ToList());
        Masters = options.Precision == Precision.Fp32 ? null
            : new MasterWeights(network, options.Precision == Precision.Bf16Mixed ? bfloat16 : float16);
        Scaler = options.Precision == Precision.Fp16Mixed ? new GradScaler() : null;
        var trainable = (Masters is not null ? Masters.Named : network.named_parameters()).Where(p => p.parameter.requires_grad)
            .Select(p => (Name: p.name, Parameter: p.parameter)).ToList();
        // The linear scaling rule reads the global batch: every replica's batch counts.
        int effectiveBatch = batchSize * options.AccumulationSteps * (options.GradientReducer?.WorldSize ?? 1);
        Slots = task.ConfigureOptimizers().Select(spec =>
            OptimizerSlot.Create(spec, trainable.Where(p => InModules(p.Name, spec.Modules, task)).ToList(), options, effectiveBatch,
                state.StepsPerEpoch, state.StepsByEpoch)).ToList();
        byName = Slots.ToDictionary(s => s.Name, StringComparer.Ordinal);
        if (byName.Count != Slots.Count) throw new ArgumentException("the task declares two optimizers with the same name.");
        foreach (var slot in Slots) slotNames[slot] = slot.Named.Select(p => p.Name).ToHashSet();
        Ema = options.EmaDecay is double decay ? new ModelEma(network, decay, options.EmaWarmup) : null;
        context = new StepContext(this);
    }

    /// <summary>
    /// Prepares <paramref name="task"/> for training: seeds libtorch (unless <paramref name="fresh"/> is false, as on resume),
    /// moves and casts its modules, builds its optimizers, schedules, loss scaler and EMA.
    /// </summary>
    /// <param name="task">The task to train.</param>
    /// <param name="options">The engineering: optimizer and schedule defaults, precision, accumulation, clipping, device.</param>
    /// <param name="state">Where training is; its StepsByEpoch (or StepsPerEpoch) sizes the schedules and BatchesPerEpoch the accumulation windows.</param>
    /// <param name="batchSize">Samples per batch (with accumulation, the effective batch scales the learning rate).</param>
    /// <param name="callbacks">Told of every optimizer step (the gradient hook).</param>
    /// <param name="fresh">Seed libtorch with the options' seed first.</param>
    public static TrainingSession Open(TrainingTask task, TrainerOptions options, TrainerState state, int batchSize,
        IReadOnlyList<ITrainerCallback>? callbacks = null, bool fresh = true) =>
        new(task, options, state, callbacks ?? [], batchSize, fresh);

    public TrainingTask Task { get; }
    public TrainerOptions Options { get; }
    public TrainerState State { get; }
    public Device Device { get; }
    public MasterWeights? Masters { get; }
    public ScalarType? ComputeType => Masters?.ComputeType;
    public GradScaler? Scaler { get; }
    public IReadOnlyList<OptimizerSlot> Slots { get; }
    public ModelEma? Ema { get; }

    /// <summary>The epoch's logged metrics so far.</summary>
    public MetricSums Sums { get; internal set; } = new();

    /// <summary>Called when the non-finite guard stops the run, before it throws: saves the last good state and returns its path.</summary>
    public Func<string?>? SaveLastGood { get; set; }

    /// <summary>The optimizer named <paramref name="name"/>.</summary>
    public OptimizerSlot Slot(string name) => byName.TryGetValue(name, out var slot) ? slot
        : throw new ArgumentException($"the task has no optimizer '{name}'; it declares {string.Join(", ", byName.Keys)}.");

    /// <summary>
    /// One batch through the task's step: forward (and, automatically, backward) with the loss divided by its
    /// accumulation window, and at the window's end every due optimizer stepped, gradients freed, the step counted and the
    /// EMA updated.
    /// </summary>
    /// <param name="batch">The batch (still the caller's to dispose).</param>
    /// <param name="index">Its position in the epoch (0-based): with <see cref="TrainerState.BatchesPerEpoch"/> it places the window.</param>
    public StepOutcome RunBatch(Batch batch, int index)
    {
        int accumulation = Options.AccumulationSteps, windowStart = index / accumulation * accumulation;
        context.Epoch = State.Epoch;
        context.Batch = index;
        context.WindowLength = Math.Min(accumulation, Math.Max(State.BatchesPerEpoch - windowStart, 1));
        context.EndsWindow = index - windowStart == context.WindowLength - 1;
        firstSlotNorm = null;
        double? loss = null;
        if (index == windowStart && Options.NonFinite != NonFiniteAction.Off) SaveBuffers();
        using (NewDisposeScope())
        {
            Options.StepTimer?.PhaseEnd(StepPhase.HostToDevice);
            var lossTensor = Task.TrainingStep(batch, context);
            if (Task.AutomaticOptimization)
            {
                if (lossTensor is null) throw new InvalidOperationException($"{Task.GetType().Name}.TrainingStep returned no loss, but the task uses automatic optimization: return the loss, or override AutomaticOptimization to false and step through the context.");
                loss = lossTensor.item<float>();
                Sums.Add("loss", loss.Value * batch.Count, batch.Count);
                Options.StepTimer?.PhaseEnd(StepPhase.Forward);
                Backward(lossTensor, null, loss.Value);
                Options.StepTimer?.PhaseEnd(StepPhase.Backward);
                if (context.EndsWindow) foreach (var slot in Slots) StepOptimizer(slot, context);
            }
            else if (lossTensor is not null) loss = lossTensor.item<float>();
            var outcome = new StepOutcome(loss, firstSlotNorm, steppedInWindow, context.EndsWindow);
            if (context.EndsWindow) EndWindow();
            return outcome;
        }
    }

    /// <summary>Backward of <paramref name="loss"/> / window (scaled under fp16); with <paramref name="optimizer"/>, only its parameters keep the gradients.</summary>
    internal void Backward(Tensor loss, string? optimizer, double? value = null)
    {
        double v = value ?? loss.item<float>();
        var slots = optimizer is null ? Slots : [Slot(optimizer)];
        foreach (var slot in slots) slot.LossFinite &= double.IsFinite(v);
        var scaled = loss / context.WindowLength;
        if (Scaler is not null) scaled = Scaler.ScaleLoss(scaled);
        var kept = optimizer is null || Slots.Count == 1 ? null : StashOtherGradients(slotNames[slots[0]]);
        try
        {
            scaled.backward();
        }
        catch (Exception e) when (Options.DetectAnomaly && e is System.Runtime.InteropServices.ExternalException)
        {
            throw new NonFiniteTrainingException($"anomaly mode: at epoch {State.Epoch}, batch {context.Batch + 1} (step {State.GlobalStep + 1}), backward failed: " +
                $"{e.Message.Split('\n')[0].Trim()} That op (or the forward op it belongs to) produced the NaN: guard it (clamp, add an epsilon, mask before the op, not after).", null);
        }
        finally
        {
            if (kept is not null) RestoreGradients(kept);
        }
    }

    /// <summary>Steps one optimizer if the window ends here and it is due: the order is PyTorch's (unscale, hook, clip, guard, step, schedule).</summary>
    internal bool StepOptimizer(OptimizerSlot slot, StepContext step)
    {
        if (!step.EndsWindow || !IsDue(slot)) return false;
        var timer = Options.StepTimer;
        Masters?.GradientsToMasters(Slots.Count == 1 ? null : slotNames[slot]);
        // Replicas average here, at each optimizer's own step point (a GAN's two players each at theirs), before unscaling:
        // the averaged gradients are then the same everywhere, and so are clipping, the scaler's inf check and the step.
        var reducer = Options.GradientReducer;
        if (reducer is not null) slot.LossFinite = reducer.AverageGradients(slot.Parameters, slot.LossFinite);
        bool inf = Scaler is not null && Scaler.UnscaleGradients(slot.Parameters);
        foundInfInWindow |= inf;
        timer?.PhaseEnd(StepPhase.Optimizer);
        foreach (var c in callbacks) c.OnBeforeOptimizerStep(State, step.Batch + 1, slot.Named);
        timer?.PhaseEnd(StepPhase.Logging);
        double? norm = slot.ClipGradNorm is double max ? nn.utils.clip_grad_norm_(slot.Parameters, max, Options.ClipGradNormType)
            : Options.NonFinite != NonFiniteAction.Off ? GlobalNorm(slot.Parameters) : null;
        if (Options.ClipGradValue is double clip) nn.utils.clip_grad_value_(slot.Parameters, clip);
        if (ReferenceEquals(slot, Slots[0])) firstSlotNorm = norm;
        bool finite = slot.LossFinite && (norm is not double n || double.IsFinite(n)) && !inf;
        // A step skipped on one replica is skipped on all, or their weights would part.
        if (reducer is not null) finite = reducer.AllTrue(finite);
        slot.LossFinite = true;
        if (!finite && !inf && Options.NonFinite == NonFiniteAction.Stop) StopNonFinite(slot, norm, step);
        bool stepped = finite || (Options.NonFinite == NonFiniteAction.Off && Scaler is null);
        if (stepped)
        {
            slot.Optimizer.step();
            slot.Steps++;
            Masters?.MastersToModel(Slots.Count == 1 ? null : slotNames[slot]);
            steppedInWindow = true;
        }
        else Skipped(slot, step);
        if (stepped) consecutiveSkips = 0;
        foreach (var p in slot.Parameters) p.grad = null;
        if (slot.Schedule is { Unit: ScheduleUnit.Batch } schedule)
        {
            if (schedule is CosineAnnealingWarmRestarts warm && (slot.Spec.Schedule ?? Options.Schedule).FractionalEpochs)
                warm.Step(State.Epoch - 1 + (double)(step.Batch + 1) / State.BatchesPerEpoch);
            else schedule.Step();
        }
        timer?.PhaseEnd(StepPhase.Optimizer);
        return stepped;
    }

    /// <summary>
    /// Gives each data-parallel replica but the first its own libtorch generator (dropout masks differ between replicas,
    /// as their data do), derived from the seed, the replica and the step so a resumed run draws afresh; replica 0 and a
    /// run without replicas keep the generator as it is.
    /// </summary>
    public void SeedReplica()
    {
        if (Options.GradientReducer is not { Rank: > 0 } reducer) return;
        Seeding.SeedTorch(Seeding.For(Options.Seed, "replica", reducer.Rank, State.GlobalStep).NextInt64());
    }

    /// <summary>Whether <paramref name="slot"/> steps at the end of the current window.</summary>
    internal bool IsDue(OptimizerSlot slot) => (State.GlobalStep + 1) % slot.Spec.Every == 0;

    /// <summary>The epoch-unit schedules' step (ReduceLROnPlateau steps on a metric instead).</summary>
    public void StepEpochSchedules()
    {
        foreach (var slot in Slots)
            if (slot.Schedule is { Unit: ScheduleUnit.Epoch } s && s is not ReduceLROnPlateau) s.Step();
    }

    /// <summary>Sets every parameter group of every optimizer to <paramref name="lr"/> times its ratio to the first group (the LR range test).</summary>
    public void SetLearningRate(double lr, IReadOnlyList<double[]> ratios)
    {
        for (int s = 0; s < Slots.Count; s++)
        {
            var groups = Slots[s].Optimizer.ParamGroups.ToList();
            for (int g = 0; g < groups.Count; g++) groups[g].LearningRate = lr * ratios[s][g];
        }
    }

    /// <summary>An image batch on <paramref name="device"/>, in <paramref name="computeType"/> and, if asked, channels-last strides.</summary>
    public static Tensor PrepareInput(Tensor images, Device device, ScalarType? computeType, bool channelsLast)
    {
        var x = images.to(device);
        if (computeType is ScalarType t && x.dtype != t) x = x.to(t);
        return channelsLast ? ChannelsLast.Of(x) : x;
    }

    /// <summary>Frees every gradient (the network's and the masters').</summary>
    public void ZeroGrad()
    {
        Task.Network.zero_grad(set_to_none: true);
        Masters?.ZeroGrad();
    }

    void EndWindow()
    {
        ReleaseBuffers();
        if (Scaler is not null) Scaler.Update(foundInfInWindow);
        ZeroGrad();
        State.GlobalStep++;
        if (steppedInWindow) Ema?.Update(Task.Network);
        foundInfInWindow = steppedInWindow = false;
    }

    void StopNonFinite(OptimizerSlot slot, double? norm, StepContext step)
    {
        // The weights are still those before this step, and the buffers as the window found them: the last good state.
        RestoreBuffers(slot);
        var saved = SaveLastGood?.Invoke();
        bool lossBad = norm is not double n || double.IsFinite(n);
        throw new NonFiniteTrainingException(
            $"the {(lossBad ? "loss" : "gradient norm")}{Of(slot)} became {(lossBad ? "non-finite" : norm)} at epoch {State.Epoch}, batch {step.Batch + 1}" +
            $" (step {State.GlobalStep + 1}). {Advice}" + (saved is null ? "" : $" The last good state is in {saved}."), saved);
    }

    const string Advice = "Lower the learning rate (`kindling lr-find` finds where the loss diverges), clip gradients (training.clip_grad_norm), or check the data for NaN.";

    string Of(OptimizerSlot slot) => Slots.Count > 1 ? $" of optimizer '{slot.Name}'" : "";

    /// <summary>
    /// A skipped step leaves weights, optimizer state and buffers as they were. A run that cannot recover stops: when
    /// the weights themselves are no longer finite (an earlier update overflowed), or after
    /// <see cref="TrainerOptions.MaxConsecutiveSkips"/> skips in a row (with the last good state saved).
    /// </summary>
    void Skipped(OptimizerSlot slot, StepContext step)
    {
        State.SkippedSteps++;
        RestoreBuffers(slot);
        if (!WeightsFinite(slot))
            throw new NonFiniteTrainingException(
                $"the weights{Of(slot)} are no longer finite at epoch {State.Epoch}, batch {step.Batch + 1} (step {State.GlobalStep + 1}): an update overflowed, " +
                $"so no good state is left in memory; the last checkpoint written before it is the one to go back to. {Advice}", null);
        if (++consecutiveSkips < Options.MaxConsecutiveSkips) return;
        var saved = SaveLastGood?.Invoke();
        throw new NonFiniteTrainingException(
            $"{consecutiveSkips} optimizer steps in a row were skipped for non-finite losses or gradients (epoch {State.Epoch}, batch {step.Batch + 1}): " +
            $"the run is not recovering. {Advice}" + (saved is null ? "" : $" The last good state is in {saved}."), saved);
    }

    bool WeightsFinite(OptimizerSlot slot)
    {
        using var scope = NewDisposeScope();
        return stack(slot.Parameters.Select(p => p.detach().isfinite().all()).ToArray()).all().item<bool>();
    }

    void SaveBuffers()
    {
        ReleaseBuffers();
        using var _ = no_grad();
        using var scope = NewDisposeScope(); // the detached views are temporaries (see docs/ARCHITECTURE.md, "Threads")
        windowBuffers = Task.Network.named_buffers().Where(b => b.buffer.is_floating_point())
            .Select(b => (b.name, b.buffer, b.buffer.detach().clone().DetachFromDisposeScope())).ToList();
    }

    void RestoreBuffers(OptimizerSlot slot)
    {
        if (windowBuffers is null) return;
        using var _ = no_grad();
        foreach (var (name, buffer, saved) in windowBuffers)
            if (InModules(name, slot.Spec.Modules, Task)) buffer.copy_(saved);
    }

    void ReleaseBuffers()
    {
        foreach (var (_, _, saved) in windowBuffers ?? []) saved.Dispose();
        windowBuffers = null;
    }

    // The gradients of parameters outside one optimizer, set aside so a backward for that optimizer leaves them as they were.
    List<(Parameter Parameter, Tensor? Grad)> StashOtherGradients(HashSet<string> keep)
    {
        var kept = new List<(Parameter, Tensor?)>();
        foreach (var (name, p) in Task.Network.named_parameters())
        {
            if (keep.Contains(name) || !p.requires_grad) continue;
            kept.Add((p, p.grad));
            p.grad = null;
        }
        return kept;
    }

    static void RestoreGradients(List<(Parameter Parameter, Tensor? Grad)> kept)
    {
        foreach (var (p, grad) in kept) p.grad = grad;
    }

    /// <summary>The global L2 norm of the gradients with one device sync per step (not one per parameter).</summary>
    static double GlobalNorm(IEnumerable<Parameter> parameters)
    {
        var norms = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!.detach().to(float32).norm()).ToArray();
        return norms.Length == 0 ? 0 : stack(norms).norm().item<float>();
    }

    static bool InModules(string name, IReadOnlyList<string>? modules, TrainingTask task) =>
        modules is null || task.Modules.Count == 1 && modules.Contains(task.Modules[0].Name)
        || modules.Any(m => name.StartsWith(m + ".", StringComparison.Ordinal));

    /// <summary>Puts the fp32 master values back into the modules (at the end of training) and frees the optimizers and the EMA.</summary>
    public void Dispose()
    {
        if (Masters is not null)
        {
            Masters.RestoreFp32(Task.Network);
            Masters.Dispose();
        }
        foreach (var slot in Slots) slot.Dispose();
        Ema?.Dispose();
        ReleaseBuffers();
    }
}
