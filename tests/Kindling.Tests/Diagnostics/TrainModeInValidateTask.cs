using Kindling.Data.Loading;
using Kindling.Training.Tasks;
using static TorchSharp.torch;

namespace Kindling.Tests.Diagnostics;

/// <summary>
/// A planted fault: a classifier with its own validation loop that switches its model back to train mode first
/// (leaving dropout active), as a user's hand-written Validate might.
/// </summary>
sealed class TrainModeInValidateTask(nn.Module<Tensor, Tensor> model, int numClasses) : ClassificationTask(model, numClasses)
{
    public override TaskValidation Validate(IEnumerable<Batch> data, ValidationContext context)
    {
        Modules[0].Module.train();
        double sum = 0;
        long n = 0;
        foreach (var batch in ValidationContext.Batches(data))
        {
            var logits = Model.call(batch.Images.to(context.Device));
            sum += nn.functional.cross_entropy(logits, batch.Labels.to(context.Device), reduction: nn.Reduction.Sum).item<float>();
            n += batch.Count;
        }
        return new TaskValidation(new Dictionary<string, double> { ["loss"] = sum / n });
    }
}
