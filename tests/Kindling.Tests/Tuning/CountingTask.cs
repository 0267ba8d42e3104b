using Kindling.Data.Loading;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Tuning;

/// <summary>A classifier that records what each call of its training step saw: proof that a probe runs the task's own step.</summary>
sealed class CountingTask(nn.Module<Tensor, Tensor> model, int classes, ClassificationOptions? options = null, bool manual = false)
    : ClassificationTask(model, classes, options)
{
    public int Calls { get; private set; }
    public List<int> WindowLengths { get; } = [];
    public List<int> BatchSizes { get; } = [];
    public List<ScalarType?> ComputeTypes { get; } = [];

    public override bool AutomaticOptimization => !manual;

    public override Tensor TrainingStep(Batch batch, StepContext step)
    {
        Calls++;
        WindowLengths.Add(step.WindowLength);
        BatchSizes.Add(batch.Count);
        ComputeTypes.Add(step.ComputeType);
        return base.TrainingStep(batch, step);
    }

    // The model belongs to the test.
    public override void Dispose() { }
}
