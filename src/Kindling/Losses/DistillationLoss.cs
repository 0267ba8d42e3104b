using static TorchSharp.torch;

namespace Kindling.Losses;

/// <summary>
/// Knowledge distillation (the seeds' DistillationLoss): alpha * CE(student, labels) +
/// (1 - alpha) * T^2 * KL(softmax(teacher / T) || softmax(student / T)), KL averaged over the batch
/// (PyTorch's reduction='batchmean'). T^2 keeps the soft-target gradients' scale independent of T.
/// Written out rather than through TorchSharp's kl_div, whose log_target defaults to true (PyTorch's to false).
/// </summary>
public sealed class DistillationLoss
{
    readonly CrossEntropy hard;

    public DistillationLoss(double alpha = 0.5, double temperature = 4.0, double label_smoothing = 0.0)
    {
        if (alpha is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1].");
        if (temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be > 0.");
        Alpha = alpha;
        Temperature = temperature;
        hard = new CrossEntropy(label_smoothing);
    }

    public double Alpha { get; }
    public double Temperature { get; }

    public Tensor Forward(Tensor studentLogits, Tensor teacherLogits, Tensor labels)
    {
        double t = Temperature;
        var logStudent = nn.functional.log_softmax(studentLogits / t, 1);
        var logTeacher = nn.functional.log_softmax(teacherLogits.detach() / t, 1);
        var kl = (logTeacher.exp() * (logTeacher - logStudent)).sum() / studentLogits.shape[0];
        return hard.Forward(studentLogits, labels) * Alpha + kl * ((1 - Alpha) * t * t);
    }
}
