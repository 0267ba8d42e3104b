using Kindling.Data.Loading;
using Kindling.Losses;
using Kindling.Runtime;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor;

/// <summary>
/// What a check sees: the subject, the options, the device, and the first training batch (taken once
/// and shared, so the fast checks together cost about one batch of data).
/// </summary>
public sealed class DoctorContext : IDisposable
{
    (Tensor Images, Tensor Labels)? first;
    TrainingTask? task;

    internal DoctorContext(DoctorSubject subject, DoctorOptions options)
    {
        Subject = subject;
        Options = options;
        Device = Devices.Resolve(subject.Trainer.Device);
        // The guard would throw on probability inputs; the double-softmax check reports them instead.
        Loss = subject.Loss ?? new CrossEntropy(subject.Trainer.LabelSmoothing) { GuardedCalls = 0 };
    }

    /// <summary>What is examined.</summary>
    public DoctorSubject Subject { get; }

    /// <summary>Thresholds and switches.</summary>
    public DoctorOptions Options { get; }

    /// <summary>Where the model runs.</summary>
    public Device Device { get; }

    /// <summary>The training loss.</summary>
    public ILoss Loss { get; }

    /// <summary>The task as it will be trained: the subject's, or a classifier of the model with the subject's loss and the Trainer's batch mixing (not to be disposed: it holds the subject's model).</summary>
    public TrainingTask Task => task ??= Subject.Task ?? new DoctorTask(Model, NumClasses, ClassificationOptions.From(Subject.Trainer), Loss);

    /// <summary>The model.</summary>
    public nn.Module<Tensor, Tensor> Model => Subject.Model ?? throw new InvalidOperationException("this check reads a classifier, and the subject has none (the doctor skips such checks for other tasks).");

    /// <summary>The training loader.</summary>
    public DataLoader Loader => Subject.TrainLoader;

    /// <summary>Number of classes of the training data.</summary>
    public int NumClasses => Loader.Dataset.Classes.Count;

    /// <summary>The first training batch on <see cref="Device"/> (owned by the context: do not dispose).</summary>
    public (Tensor Images, Tensor Labels) FirstBatch
    {
        get
        {
            if (first is { } f) return f;
            using var e = Loader.GetEnumerator();
            if (!e.MoveNext()) throw new InvalidOperationException($"the training loader yields no batches ({Loader.Dataset.Count} samples).");
            using var batch = e.Current;
            var images = batch.Images.to(device: Device, copy: true).DetachFromDisposeScope();
            var labels = batch.Labels.to(device: Device, copy: true).DetachFromDisposeScope();
            first = (images, labels);
            return first.Value;
        }
    }

    /// <summary>The model's output on the first batch in training mode, as the Trainer's first step sees it (inside the caller's dispose scope).</summary>
    public Tensor Forward(Tensor images)
    {
        Model.train();
        return Model.call(images).to(float32);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (first is { } f)
        {
            f.Images.Dispose();
            f.Labels.Dispose();
        }
    }
}
