using Kindling.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Training.Tasks;

/// <summary>
/// A classifier trained as the student of a frozen teacher (the seeds' distillation loss): the classification task
/// with the loss of <see cref="DistillationLoss"/> on the teacher's logits for the very tensor the student was given,
/// so mixup/CutMix, accumulation, mixed precision, EMA, checkpoints and resume work unchanged. Under mixing the loss is
/// mixed over both targets like any loss; its KL term does not depend on the targets, so only the cross-entropy is mixed.
/// </summary>
public sealed class DistillationTask : ClassificationTask
{
    readonly DistillationLoss loss;

    /// <param name="student">The model trained.</param>
    /// <param name="numClasses">Classes of student and teacher.</param>
    /// <param name="distiller">The frozen teacher, alpha and temperature; disposed with the task.</param>
    /// <param name="options">Label smoothing (of the hard-label term), batch mixing, top-k.</param>
    public DistillationTask(nn.Module<Tensor, Tensor> student, int numClasses, Distiller distiller, ClassificationOptions? options = null)
        : base(student, numClasses, options)
    {
        Distiller = distiller;
        loss = distiller.Loss(Options.LabelSmoothing);
    }

    public Distiller Distiller { get; }

    public override void OnDevice(Device device) => Distiller.To(device);

    protected override Func<Tensor, Tensor, Tensor> Loss(Tensor input)
    {
        var teacher = Distiller.TeacherLogits(input);
        return (logits, targets) => loss.Forward(logits, teacher, targets);
    }

    public override void Dispose()
    {
        Distiller.Dispose();
        base.Dispose();
    }
}
