using Kindling.Config;
using Kindling.Data.Datasets;
using Kindling.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Compression;

/// <summary>
/// The teacher side of knowledge distillation (Hinton et al. 2015, the seeds' train_with_distillation):
/// a teacher frozen for good (eval mode, no parameter requires grad) whose logits on the student's own
/// batch, mixed or not, are computed under inference mode and fed to <see cref="DistillationLoss"/>.
/// Give it to the Trainer through <see cref="Training.TrainerOptions.Distillation"/>; the student is
/// trained by the Trainer as any model is. When the teacher was trained with other normalization
/// statistics than the student, the student's normalized batch is re-normalized to the teacher's, so
/// the teacher sees the pixels it was trained on.
/// </summary>
public sealed class Distiller : IDisposable
{
    Tensor? scale, shift;

    /// <param name="teacher">The trained teacher; it is put in eval mode and its parameters stop requiring grad.</param>
    /// <param name="alpha">Weight of the hard-label cross-entropy; 1 - alpha weighs the soft-target KL term.</param>
    /// <param name="temperature">Softmax temperature of both distributions in the KL term.</param>
    public Distiller(nn.Module<Tensor, Tensor> teacher, double alpha = 0.5, double temperature = 4.0)
    {
        if (alpha is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1].");
        if (temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be > 0.");
        Teacher = teacher;
        Alpha = alpha;
        Temperature = temperature;
        teacher.eval();
        foreach (var p in teacher.parameters()) p.requires_grad = false;
    }

    /// <summary>The frozen teacher.</summary>
    public nn.Module<Tensor, Tensor> Teacher { get; }

    /// <summary>Weight of the hard-label cross-entropy (the seeds' alpha).</summary>
    public double Alpha { get; }

    /// <summary>The softmax temperature T.</summary>
    public double Temperature { get; }

    /// <summary>The teacher's class names by label, when known (from its checkpoint); checked by <see cref="Bind"/>.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>The input shape the teacher takes, when known.</summary>
    public ImageShape? InputShape { get; init; }

    /// <summary>The statistics the teacher's inputs were normalized with, when known.</summary>
    public ChannelStatistics? Normalization { get; init; }

    /// <summary>A teacher from a checkpoint written by the Trainer (its model rebuilt from the stored recipe).</summary>
    /// <exception cref="FileNotFoundException">No such checkpoint.</exception>
    public static Distiller FromCheckpoint(string checkpoint, double alpha = 0.5, double temperature = 4.0)
    {
        var (_, pipeline) = CheckpointModel.Load(checkpoint);
        return new Distiller(pipeline.Model, alpha, temperature)
        {
            Classes = pipeline.Classes,
            InputShape = pipeline.InputShape,
            Normalization = pipeline.Normalization,
        };
    }

    /// <summary>
    /// Checks that the teacher predicts the student's classes, in the same order, and takes the student's
    /// input shape, and prepares the re-normalization from the student's statistics to the teacher's.
    /// What the teacher does not know (a teacher built in code) is not checked.
    /// </summary>
    /// <param name="classes">The student's class names by label.</param>
    /// <param name="inputShape">The student's input shape.</param>
    /// <param name="normalization">The statistics the student's batches are normalized with.</param>
    /// <param name="teacherName">Names the teacher in errors (its checkpoint's path).</param>
    /// <exception cref="ArgumentException">The teacher's classes or input shape differ from the student's.</exception>
    public void Bind(IReadOnlyList<string> classes, ImageShape inputShape, ChannelStatistics normalization, string teacherName = "the teacher")
    {
        if (Classes is { } tc && !tc.SequenceEqual(classes))
            throw new ArgumentException(tc.Count != classes.Count
                ? $"the teacher {teacherName} predicts {tc.Count} classes but the student's data has {classes.Count}: teacher and student must share their classes."
                : $"the teacher {teacherName} has the classes [{string.Join(", ", tc)}] but the student's data has [{string.Join(", ", classes)}]: teacher and student must share their classes, in the same order.");
        if (InputShape is { } ts && ts != inputShape)
            throw new ArgumentException($"the teacher {teacherName} takes {ts} images but the student takes {inputShape}: teacher and student must share their input shape.");
        scale?.Dispose();
        shift?.Dispose();
        scale = shift = null;
        if (Normalization is { } tn && !(tn.Mean.SequenceEqual(normalization.Mean) && tn.Std.SequenceEqual(normalization.Std)))
        {
            // x_teacher = (x_student * std_s + mean_s - mean_t) / std_t, per channel.
            int c = inputShape.Channels;
            double[] PerChannel(IReadOnlyList<double> v) => v.Count == c ? v.ToArray() : Enumerable.Repeat(v[0], c).ToArray();
            var (ms, ss, mt, st) = (PerChannel(normalization.Mean), PerChannel(normalization.Std), PerChannel(tn.Mean), PerChannel(tn.Std));
            scale = tensor(ss.Select((s, i) => (float)(s / st[i])).ToArray()).reshape(1, c, 1, 1).DetachFromDisposeScope();
            shift = tensor(ms.Select((m, i) => (float)((m - mt[i]) / st[i])).ToArray()).reshape(1, c, 1, 1).DetachFromDisposeScope();
        }
    }

    /// <summary>Moves the teacher (and the re-normalization) to <paramref name="device"/>.</summary>
    public void To(Device device)
    {
        Teacher.to(device);
        if (scale is not null) scale = Move(scale, device);
        if (shift is not null) shift = Move(shift, device);
    }

    /// <summary>The teacher's logits (float32) for the student's batch, in eval and inference mode.</summary>
    /// <param name="input">The batch exactly as the student sees it (augmented, mixed, normalized).</param>
    public Tensor TeacherLogits(Tensor input)
    {
        using var _ = inference_mode();
        // The student's loop may switch every module it can reach to train mode; the teacher stays in eval.
        if (Teacher.training) Teacher.eval();
        var x = input;
        var dtype = Teacher.parameters().FirstOrDefault()?.dtype ?? float32;
        if (x.dtype != dtype) x = x.to(dtype);
        if (scale is not null) x = x * scale.to(x.dtype) + shift!.to(x.dtype);
        return Teacher.call(x).to(float32);
    }

    /// <summary>The seeds' distillation loss with this distiller's alpha and temperature.</summary>
    /// <param name="labelSmoothing">Label smoothing of the hard-label cross-entropy.</param>
    public DistillationLoss Loss(double labelSmoothing = 0) => new(Alpha, Temperature, labelSmoothing);

    /// <inheritdoc/>
    public void Dispose()
    {
        scale?.Dispose();
        shift?.Dispose();
        Teacher.Dispose();
    }

    static Tensor Move(Tensor t, Device device)
    {
        var moved = t.to(device);
        if (!ReferenceEquals(moved, t)) t.Dispose();
        return moved;
    }
}
