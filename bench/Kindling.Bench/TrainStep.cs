using Kindling.Data.Loading;
using Kindling.Training;
using Kindling.Training.Tasks;
using static TorchSharp.torch;

namespace Kindling.Bench;

/// <summary>
/// The training step the Trainer takes (<see cref="TrainingSession.RunBatch"/> of a classifier: forward, label-smoothed
/// cross-entropy and train accuracy, the loss read back, backward, the non-finite guard, AdamW step, gradients set to
/// none), with training's default options, so what is timed is what trains. The session tells the timer its phases.
/// </summary>
public sealed class TrainStep : IDisposable
{
    readonly TrainingSession session;
    readonly IStepTimer? timer;
    int index;

    /// <param name="model">The model, on the CPU, trained in place.</param>
    /// <param name="classes">Classes of its output.</param>
    /// <param name="batchSize">Samples per batch (the optimizer's effective batch).</param>
    /// <param name="channelsLast">Channels-last weights and inputs, as training with channels_last.</param>
    /// <param name="timer">Told each phase's end and each step's end; null: untimed.</param>
    /// <param name="reducer">Data-parallel gradient averaging (the dp case under mpirun); null: one process.</param>
    public TrainStep(nn.Module<Tensor, Tensor> model, int classes, int batchSize, bool channelsLast, IStepTimer? timer, IGradientReducer? reducer = null)
    {
        this.timer = timer;
        var task = new ClassificationTask(model, classes, new ClassificationOptions { LabelSmoothing = StepBenchmarks.LabelSmoothing });
        var options = new TrainerOptions { Optimizer = StepBenchmarks.AdamW, ChannelsLast = channelsLast, Device = "cpu", StepTimer = timer, GradientReducer = reducer };
        // Batch positions only place accumulation windows, and there is no accumulation: the count is never reached.
        var state = new TrainerState { Epoch = 1, Epochs = 1, BatchesPerEpoch = int.MaxValue, StepsPerEpoch = int.MaxValue };
        // Not fresh: StepBenchmarks.Prepare seeded libtorch before the model was made, as the PyTorch side does.
        session = TrainingSession.Open(task, options, state, batchSize, fresh: false);
        model.train();
        session.ZeroGrad();
    }

    /// <summary>One step on <paramref name="batch"/> (still the caller's to dispose).</summary>
    public void Run(Batch batch)
    {
        session.RunBatch(batch, index++);
        timer?.StepEnd();
    }

    /// <summary>The train accuracy over the steps since the last <see cref="ResetMetrics"/> (the task logs it in its step).</summary>
    public double Accuracy => session.Sums.Mean("accuracy") ?? 0;

    /// <summary>Forgets the steps so far (the warm-up) in <see cref="Accuracy"/>.</summary>
    public void ResetMetrics() => session.Sums = new MetricSums();

    public void Dispose() => session.Dispose();
}
