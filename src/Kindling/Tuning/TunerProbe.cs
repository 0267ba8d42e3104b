using Kindling.Training;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tuning;

/// <summary>
/// How the tuners run the engine's step (<see cref="TrainingSession"/>): one session per probe, on the caller's task
/// and trainer options, with the task's modules and libtorch's generator put back afterwards.
/// </summary>
internal static class TunerProbe
{
    /// <summary>
    /// The recipe's engineering for a probe: the same step, with a stop on a non-finite loss turned into a skip (a
    /// probe that meets one reports it; the step's work is the same) and no profiler (the probe is not training).
    /// </summary>
    public static TrainerOptions Options(TrainerOptions o) => o with
    {
        NonFinite = o.NonFinite == NonFiniteAction.Stop ? NonFiniteAction.Skip : o.NonFinite,
        StepTimer = null,
    };

    /// <summary>
    /// Opens a session over <paramref name="batches"/> batch positions making <paramref name="steps"/> optimizer steps,
    /// with the task's modules in training mode and no gradients, as an epoch of the Trainer starts.
    /// </summary>
    public static TrainingSession Open(TrainingTask task, TrainerOptions options, int batches, int steps, int batchSize)
    {
        var state = new TrainerState { Epoch = 1, Epochs = options.Epochs, BatchesPerEpoch = batches, StepsPerEpoch = steps };
        var session = TrainingSession.Open(task, options, state, batchSize);
        task.Network.train();
        session.ZeroGrad();
        return session;
    }

    /// <summary>Runs <paramref name="probe"/> and puts the network's values, gradients and mode and libtorch's generator back, whatever happens.</summary>
    public static T Restoring<T>(nn.Module network, Func<T> probe)
    {
        using var snapshot = ModelSnapshot.Take(network);
        using var rng = get_rng_state();
        try
        {
            return probe();
        }
        finally
        {
            snapshot.Restore();
            set_rng_state(rng);
        }
    }

    /// <summary>
    /// A plain classifier (cross-entropy, no mixing) for the convenience overloads that take a model. The task is not
    /// disposed: that would dispose the caller's model.
    /// </summary>
    public static ClassificationTask Classifier(nn.Module<Tensor, Tensor> model, int classes) => new(model, Math.Max(classes, 1));

    /// <summary>Trainer options that keep <paramref name="model"/> on the device it is on (the model overloads' contract).</summary>
    public static TrainerOptions OnDeviceOf(nn.Module model, Optim.OptimizerOptions optimizer)
    {
        var device = model.parameters().FirstOrDefault()?.device;
        string name = device is null || device.type != DeviceType.CUDA ? "cpu" : device.index < 0 ? "cuda" : $"cuda:{device.index}";
        return new TrainerOptions { Optimizer = optimizer, Device = name };
    }
}
