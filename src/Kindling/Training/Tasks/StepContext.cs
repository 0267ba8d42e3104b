using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Training.Tasks;

/// <summary>
/// What a task's <see cref="TrainingTask.TrainingStep"/> sees of the engine: where inputs go (device, precision,
/// memory format), where the step is (epoch, batch, accumulation window), a seeded generator per purpose, the
/// epoch's logged metrics and, for manual optimization, backward and the optimizer steps.
/// </summary>
public sealed class StepContext
{
    readonly TrainingSession session;

    internal StepContext(TrainingSession session) => this.session = session;

    public Device Device => session.Device;

    /// <summary>The 16-bit type the modules compute in under mixed precision; null in fp32.</summary>
    public ScalarType? ComputeType => session.ComputeType;

    public bool ChannelsLast => session.Options.ChannelsLast;

    /// <summary>The epoch (1-based).</summary>
    public int Epoch { get; internal set; }

    /// <summary>The batch's position in its epoch (0-based).</summary>
    public int Batch { get; internal set; }

    /// <summary>Training steps (optimizer windows) completed before this one.</summary>
    public long GlobalStep => session.State.GlobalStep;

    /// <summary>Batches in this accumulation window (its losses are divided by it).</summary>
    public int WindowLength { get; internal set; }

    /// <summary>Whether this batch ends its accumulation window: the optimizers step now.</summary>
    public bool EndsWindow { get; internal set; }

    /// <summary>An image batch on the device, in the compute type and memory format the modules use.</summary>
    public Tensor Input(Tensor images) => TrainingSession.PrepareInput(images, Device, ComputeType, ChannelsLast);

    /// <summary>A tensor (labels, conditions) on the device, its type unchanged.</summary>
    public Tensor ToDevice(Tensor tensor) => tensor.to(Device);

    /// <summary>
    /// A generator for one purpose at this batch, from the run's seed: the same draws on resume and for any number of
    /// workers. Data-parallel replicas other than the first draw their own (a GAN's noise, a mixup's lambda differ by rank,
    /// as their data do); replica 0 draws what one process would.
    /// </summary>
    public Random Random(string purpose) => session.Options.GradientReducer is { Rank: > 0 } replicas
        ? Seeding.For(session.Options.Seed, purpose, Epoch, Batch, replicas.Rank)
        : Seeding.For(session.Options.Seed, purpose, Epoch, Batch);

    /// <summary>
    /// The data-parallel replicas this step runs in (null: one process): their rank and number, and collectives a task may
    /// need beyond the gradients the engine averages, e.g. <see cref="IGradientReducer.AllGather"/> for a MoCo queue that
    /// enqueues every rank's keys.
    /// </summary>
    public IGradientReducer? Replicas => session.Options.GradientReducer;

    /// <summary>Adds <paramref name="value"/> with <paramref name="weight"/> to the epoch's weighted mean of train_<paramref name="name"/>.</summary>
    public void Log(string name, double value, double weight = 1) => session.Sums.Add(name, value * weight, weight);

    /// <summary>Adds an already weighted <paramref name="sum"/> (e.g. the number correct) and its weight (e.g. the batch size).</summary>
    public void LogSum(string name, double sum, double weight) => session.Sums.Add(name, sum, weight);

    /// <summary>
    /// Manual optimization: backpropagates <paramref name="loss"/> divided by the window length (and scaled under fp16).
    /// With <paramref name="optimizer"/>, only that optimizer's parameters keep the gradients (a generator loss
    /// through the discriminator leaves the discriminator's accumulated gradients as they were).
    /// </summary>
    public void Backward(Tensor loss, string? optimizer = null) => session.Backward(loss, optimizer);

    /// <summary>
    /// Manual optimization: steps <paramref name="optimizer"/> (unscale, gradient hooks, clipping, the non-finite guard,
    /// the step, its schedule) when this batch ends the window and the optimizer is due; otherwise its gradients keep
    /// accumulating. Returns whether it stepped.
    /// </summary>
    public bool Step(string optimizer) => session.StepOptimizer(session.Slot(optimizer), this);

    /// <summary>Whether <paramref name="optimizer"/> steps at the end of this window (its <see cref="OptimizerSpec.Every"/>).</summary>
    public bool IsDue(string optimizer) => session.IsDue(session.Slot(optimizer));

    /// <summary>Steps <paramref name="optimizer"/> has taken in the run.</summary>
    public long Steps(string optimizer) => session.Slot(optimizer).Steps;
}
