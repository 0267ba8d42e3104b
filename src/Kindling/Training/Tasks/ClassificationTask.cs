using Kindling.Data.Loading;
using Kindling.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Training.Tasks;

/// <summary>
/// Image classification: cross-entropy with label smoothing and class weights, Mixup/CutMix on whole batches, train accuracy (mixed
/// over both targets under mixing), and validation by <see cref="Evaluator"/>: loss, accuracy, top-k and macro F1
/// (its <see cref="EvalResult"/>, with the confusion matrix, is the validation's details).
/// </summary>
public class ClassificationTask : TrainingTask
{
    readonly ILoss criterion;

    /// <param name="model">The classifier: images [N,C,H,W] in, logits [N,classes] out.</param>
    /// <param name="numClasses">The number of classes (the confusion matrix's size).</param>
    /// <param name="options">Label smoothing, batch mixing, top-k; null: none, none, 5.</param>
    public ClassificationTask(nn.Module<Tensor, Tensor> model, int numClasses, ClassificationOptions? options = null)
    {
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "a classifier needs at least one class.");
        Model = model;
        NumClasses = numClasses;
        Options = options ?? new ClassificationOptions();
        if (Options.ClassWeights is { } w && w.Count != numClasses)
            throw new ArgumentException($"{w.Count} class weights for {numClasses} classes: give one weight per class.", nameof(options));
        criterion = new CrossEntropy(Options.LabelSmoothing, weight: Options.ClassWeights);
    }

    public nn.Module<Tensor, Tensor> Model { get; }
    public int NumClasses { get; }
    public ClassificationOptions Options { get; }

    public override IReadOnlyList<(string Name, nn.Module Module)> Modules => [("model", Model)];

    /// <summary>What a classifier reports: train loss and accuracy; validation loss, accuracy, top-k accuracy and macro F1.</summary>
    public static IReadOnlyList<MetricSpec> MetricSpecs { get; } =
    [
        MetricSpec.Min("train_loss"), MetricSpec.Max("train_accuracy"),
        MetricSpec.Min("val_loss"), MetricSpec.Max("val_accuracy"), MetricSpec.Max("val_top_k"), MetricSpec.Max("val_f1"),
    ];

    public override IReadOnlyList<MetricSpec> Metrics => MetricSpecs;

    public override MetricSpec DefaultMonitor => MetricSpec.Max("val_accuracy");

    public override Tensor TrainingStep(Batch batch, StepContext step)
    {
        var x = step.Input(batch.Images);
        var y = step.ToDevice(batch.Labels);
        if (Options.BatchMix is { } mix)
        {
            var mixed = mix.Apply(x, y, step.Random("batch-mix"));
            var mixedLogits = Model.forward(mixed.Images).to(float32);
            var predicted = mixedLogits.argmax(1);
            step.LogSum("accuracy", mixed.Lambda * predicted.eq(mixed.TargetsA).sum().item<long>() + (1 - mixed.Lambda) * predicted.eq(mixed.TargetsB).sum().item<long>(), batch.Count);
            return mixed.Loss(Loss(mixed.Images), mixedLogits);
        }
        var logits = Model.forward(x).to(float32);
        step.LogSum("accuracy", logits.argmax(1).eq(y).sum().item<long>(), batch.Count);
        return Loss(x)(logits, y);
    }

    /// <summary>The loss of logits against targets for the batch <paramref name="input"/> the model saw (a teacher reads it).</summary>
    protected virtual Func<Tensor, Tensor, Tensor> Loss(Tensor input) => criterion.Forward;

    /// <inheritdoc/>
    public override bool ReducesValidation => true;

    public override TaskValidation Validate(IEnumerable<Batch> data, ValidationContext context)
    {
        var result = Evaluator.Evaluate(Model, data, NumClasses, context.Device, Options.TopK, context.ComputeType, context.ChannelsLast,
            context.Replicas > 1 ? context.SumAcrossReplicas : null);
        return new TaskValidation(new Dictionary<string, double>
        {
            ["loss"] = result.Loss,
            ["accuracy"] = result.Accuracy,
            ["top_k"] = result.TopK,
            ["f1"] = result.Report.Macro.F1,
        }, result);
    }
}
