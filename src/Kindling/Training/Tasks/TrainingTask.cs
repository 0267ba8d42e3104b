using Kindling.Data.Loading;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Training.Tasks;

/// <summary>
/// The science of a run, as a LightningModule is in PyTorch Lightning: the modules it trains, its optimizers,
/// what one training step does with a batch, and the metrics it measures on a validation split. Everything that
/// is engineering (modes, inference mode, dispose scopes, accumulation, clipping, the non-finite guard, mixed
/// precision, schedules, EMA, checkpoints and exact resume, callbacks) is the <see cref="Trainer"/>'s, for every task.
/// </summary>
/// <remarks>
/// Two rungs: with <see cref="AutomaticOptimization"/> (the default) <see cref="TrainingStep"/> returns the loss and
/// the engine does backward and the optimizer step; without it the step calls <see cref="StepContext.Backward"/> and
/// <see cref="StepContext.Step"/> itself (a GAN's two players), and the engine still scales, accumulates, clips,
/// guards and schedules each optimizer.
/// </remarks>
public abstract class TrainingTask : IDisposable
{
    nn.Module? network;

    /// <summary>
    /// The modules this task trains and keeps, by name: the engine moves them to the device, switches their modes,
    /// casts them for mixed precision, and checkpoints and averages (EMA) their parameters by name. A task with one
    /// module keeps that module's own parameter names (a classifier's checkpoint is the model's state dict); with
    /// several, names are prefixed by the module's ("generator.fc.weight").
    /// </summary>
    public abstract IReadOnlyList<(string Name, nn.Module Module)> Modules { get; }

    /// <summary>All <see cref="Modules"/> as one module (the module itself when there is one).</summary>
    public nn.Module Network => network ??= Modules.Count == 1 ? Modules[0].Module : new ModuleSet(Modules);

    /// <summary>Whether the engine does backward and the optimizer steps (true) or the step does (false).</summary>
    public virtual bool AutomaticOptimization => true;

    /// <summary>
    /// The task's optimizers. The default: one optimizer named "optimizer" over every trainable parameter, with the
    /// trainer's optimizer and schedule options.
    /// </summary>
    public virtual IReadOnlyList<OptimizerSpec> ConfigureOptimizers() => [new OptimizerSpec("optimizer")];

    /// <summary>
    /// One training step on <paramref name="batch"/>: return the loss (automatic optimization), or do backward and the
    /// steps through <paramref name="step"/> and return null (manual). Log what the epoch should report with
    /// <see cref="StepContext.Log"/>; the engine logs the returned loss as "loss" itself. Runs inside the step's dispose scope.
    /// </summary>
    public abstract Tensor? TrainingStep(Batch batch, StepContext step);

    /// <summary>
    /// The task's metrics on a validation split, by name without the "val_" prefix the engine adds. The engine has put
    /// the modules in eval mode and turned on inference mode; read the batches through <see cref="ValidationContext.Batches"/>
    /// (a dispose scope per batch). Return null when the task measures nothing on validation data.
    /// </summary>
    public virtual TaskValidation? Validate(IEnumerable<Batch> data, ValidationContext context) => null;

    /// <summary>
    /// Whether <see cref="Validate"/> sums its counts across data-parallel replicas with
    /// <see cref="ValidationContext.SumAcrossReplicas"/>, so each replica may validate a shard of the split. False (the
    /// default): every replica validates the whole split, which is exact for any metric (an FID, a kNN probe) but not faster.
    /// </summary>
    public virtual bool ReducesValidation => false;

    /// <summary>
    /// The metrics the task reports and which way is better, by their full names (train_loss, val_accuracy, ...); the
    /// monitor and early stopping may watch any of them (and ema_val_* for the val_ ones when EMA is on).
    /// </summary>
    public abstract IReadOnlyList<MetricSpec> Metrics { get; }

    /// <summary>The metric that chooses the best checkpoint when the trainer's options name none.</summary>
    public abstract MetricSpec DefaultMonitor { get; }

    /// <summary>The task's own state beyond its modules' parameters and buffers (a queue pointer, a step counter), for checkpoints; null: none.</summary>
    public virtual TaskState? SaveState() => null;

    /// <summary>Restores what <see cref="SaveState"/> saved.</summary>
    public virtual void LoadState(TaskState state) { }

    /// <summary>Called once the modules are on <paramref name="device"/>: move anything else the task holds (a frozen teacher, constants).</summary>
    public virtual void OnDevice(Device device) { }

    /// <summary>Disposes the modules.</summary>
    public virtual void Dispose()
    {
        foreach (var (_, module) in Modules) module.Dispose();
        GC.SuppressFinalize(this);
    }
}
