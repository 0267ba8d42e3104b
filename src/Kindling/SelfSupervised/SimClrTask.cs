using Kindling.Data.Loading;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>
/// SimCLR (Chen et al. 2020): two augmented views of every image (the batch's <see cref="Batch.Views"/>, from a
/// <see cref="Data.Transforms.MultiView"/> loader), the encoder and the projection head on both, and NT-Xent between the
/// two views' projections. Labels are never read in training; the kNN monitor, when given, reads them on validation.
/// </summary>
/// <remarks>
/// Both views go through the encoder as one batch of 2N, so BatchNorm's statistics are those of both views together, as
/// with SimCLR's global BatchNorm (the seed runs the views separately: per-view statistics). One forward of 2N images is
/// also faster on a CPU than two of N.
/// </remarks>
public sealed class SimClrTask : TrainingTask, IPretrainedEncoder
{
    readonly NtXentLoss loss;

    /// <param name="encoder">A headless encoder: images to features [N, <paramref name="features"/>].</param>
    /// <param name="features">The encoder's feature width.</param>
    /// <param name="options">Projection and temperature.</param>
    /// <param name="monitor">The kNN monitor (val_knn_accuracy); null: validation measures nothing.</param>
    public SimClrTask(nn.Module<Tensor, Tensor> encoder, long features, SimClrOptions? options = null, KnnMonitor? monitor = null)
    {
        Options = options ?? new SimClrOptions();
        Encoder = encoder;
        FeatureCount = features;
        Projection = new ProjectionHead(features, Options.Hidden ?? features, Options.ProjectionDim);
        loss = new NtXentLoss(Options.Temperature);
        Monitor = monitor;
    }

    public SimClrOptions Options { get; }

    /// <inheritdoc/>
    public nn.Module<Tensor, Tensor> Encoder { get; }

    /// <inheritdoc/>
    public long FeatureCount { get; }

    /// <summary>The projection head the loss sees through.</summary>
    public ProjectionHead Projection { get; }

    public KnnMonitor? Monitor { get; }

    public override IReadOnlyList<(string Name, nn.Module Module)> Modules => [("encoder", Encoder), ("projection", Projection)];

    /// <summary>train_loss, val_knn_accuracy.</summary>
    public static IReadOnlyList<MetricSpec> MetricSpecs { get; } = [MetricSpec.Min("train_loss"), MetricSpec.Max("val_knn_accuracy")];

    public override IReadOnlyList<MetricSpec> Metrics => MetricSpecs;

    public override MetricSpec DefaultMonitor => MetricSpec.Max("val_knn_accuracy");

    public override Tensor TrainingStep(Batch batch, StepContext step)
    {
        var (first, second) = TwoViews(batch, "SimCLR");
        long n = first.shape[0];
        var z = Projection.forward(Encoder.forward(step.Input(cat([first, second])))).to(float32);
        return loss.Forward(z.narrow(0, 0, n), z.narrow(0, n, n));
    }

    public override TaskValidation? Validate(IEnumerable<Batch> data, ValidationContext context) =>
        Monitor is { } m && m.IsDue(context.Epoch)
            ? new TaskValidation(new Dictionary<string, double> { ["knn_accuracy"] = m.Measure(Encoder, data, context) })
            : null;

    /// <summary>The batch's two views, or a clear error when the loader makes fewer.</summary>
    internal static (Tensor First, Tensor Second) TwoViews(Batch batch, string method)
    {
        if (batch.Views.Count < 2)
            throw new InvalidOperationException($"{method} needs two augmented views of every image, but the batch has {batch.Views.Count}: " +
                "give the training loader a MultiView transform (in a recipe: transforms.views: 2).");
        if (batch.Count < 2)
            throw new InvalidOperationException($"{method} needs at least 2 images in a batch (the others are the negatives); got {batch.Count}: set data.drop_last: true.");
        return (batch.Views[0], batch.Views[1]);
    }
}
