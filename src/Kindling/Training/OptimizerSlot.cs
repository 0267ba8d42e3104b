using Kindling.Optim;
using Kindling.Optim.Schedulers;
using Kindling.Training.Tasks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// One of a task's optimizers as the engine runs it: the parameters it steps (the fp32 masters under mixed
/// precision), the optimizer, its schedule, clipping and frequency, and what its steps measured this epoch.
/// </summary>
public sealed class OptimizerSlot : IDisposable
{
    internal OptimizerSlot(OptimizerSpec spec, IReadOnlyList<(string Name, Parameter Parameter)> named, optim.Optimizer optimizer,
        LrScheduler? schedule, double? clipGradNorm)
    {
        Spec = spec;
        Named = named;
        Parameters = named.Select(p => p.Parameter).ToList();
        Optimizer = optimizer;
        Schedule = schedule;
        ClipGradNorm = clipGradNorm;
    }

    public OptimizerSpec Spec { get; }
    public string Name => Spec.Name;

    /// <summary>The parameters stepped, by the network's names.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> Named { get; }

    public IReadOnlyList<Parameter> Parameters { get; }
    public optim.Optimizer Optimizer { get; }
    public LrScheduler? Schedule { get; }
    public double? ClipGradNorm { get; }

    /// <summary>Optimizer steps taken (skipped ones not counted).</summary>
    public long Steps { get; internal set; }

    /// <summary>The first parameter group's learning rate now.</summary>
    public double LearningRate => Optimizer.ParamGroups.First().LearningRate;

    /// <summary>Whether every loss backpropagated into these parameters since the last step was finite.</summary>
    internal bool LossFinite { get; set; } = true;

    /// <summary>Builds the slot for <paramref name="spec"/> over <paramref name="named"/> (already filtered to its modules).</summary>
    internal static OptimizerSlot Create(OptimizerSpec spec, List<(string Name, Parameter Parameter)> named, TrainerOptions options,
        int effectiveBatch, int stepsPerEpoch, IReadOnlyList<int> stepsByEpoch)
    {
        if (named.Count == 0)
            throw new ArgumentException($"optimizer '{spec.Name}' has no trainable parameters (modules: {(spec.Modules is null ? "all" : string.Join(", ", spec.Modules))}).");
        if (spec.Every < 1) throw new ArgumentOutOfRangeException(nameof(spec), spec.Every, $"optimizer '{spec.Name}': every must be >= 1.");
        var optimizer = OptimizerFactory.Create(new NamedParameters(named), spec.Options ?? options.Optimizer, effectiveBatch);
        // A schedule counts this optimizer's own steps: one per `Every` training steps.
        // Epochs of different sizes (a curriculum's) sum their own steps; otherwise every epoch has stepsPerEpoch.
        int? total = stepsByEpoch.Count > 0 ? stepsByEpoch.Sum(steps => Math.Max(1, steps / spec.Every)) : null;
        var schedule = ScheduleFactory.Create(optimizer, spec.Schedule ?? options.Schedule, options.Epochs, Math.Max(1, stepsPerEpoch / spec.Every), total);
        return new OptimizerSlot(spec, named, optimizer, schedule, spec.ClipGradNorm ?? options.ClipGradNorm);
    }

    public void Dispose() => Optimizer.Dispose();

    /// <summary>A module view over an explicit parameter list (the fp32 masters), so the optimizer factory can group them by name.</summary>
    sealed class NamedParameters : nn.Module
    {
        readonly List<(string name, Parameter parameter)> list;

        public NamedParameters(List<(string Name, Parameter Parameter)> list) : base(nameof(NamedParameters)) =>
            this.list = list.Select(p => (p.Name, p.Parameter)).ToList();

        public override IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true) => list;
    }
}
