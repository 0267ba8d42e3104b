using Kindling.Losses;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor;

/// <summary>
/// A classifier of the doctor's subject whose loss may be the subject's own: the checks that train run it through the
/// engine's step. It does not own the model, so disposing it leaves the subject's model alone.
/// </summary>
internal sealed class DoctorTask : ClassificationTask
{
    readonly ILoss? loss;

    /// <param name="model">The subject's model.</param>
    /// <param name="numClasses">Classes of the training data.</param>
    /// <param name="options">Label smoothing (when <paramref name="loss"/> is null), batch mixing, top-k.</param>
    /// <param name="loss">The loss; null: cross-entropy with the options' label smoothing.</param>
    public DoctorTask(nn.Module<Tensor, Tensor> model, int numClasses, ClassificationOptions options, ILoss? loss)
        : base(model, Math.Max(numClasses, 1), options) => this.loss = loss;

    protected override Func<Tensor, Tensor, Tensor> Loss(Tensor input) => loss is null ? base.Loss(input) : loss.Forward;

    public override void Dispose() => GC.SuppressFinalize(this);
}
