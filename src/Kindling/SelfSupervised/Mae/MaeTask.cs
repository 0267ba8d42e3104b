using Kindling.Data.Loading;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised.Mae;

/// <summary>
/// Pretrains a <see cref="MaskedAutoencoder"/> without labels: each step draws a fresh per-sample mask (from the step's seeded
/// generator, so a resumed run draws the same masks), reconstructs, and returns <see cref="MaeLoss"/> on the removed patches.
/// Validation masks with fixed seeds per batch, so val_loss compares across epochs. The encoder alone is the
/// <see cref="IPretrainedEncoder"/> the probes and fine-tuning read; <see cref="Reconstruct"/> feeds the reconstruction picture.
/// </summary>
public sealed class MaeTask : TrainingTask, IPretrainedEncoder, IReconstructionPreview
{
    Device device = torch.CPU;

    /// <param name="model">The masked autoencoder to train.</param>
    public MaeTask(MaskedAutoencoder model) => Model = model;

    /// <summary>The masked autoencoder.</summary>
    public MaskedAutoencoder Model { get; }

    /// <summary>The metrics: train_loss and val_loss (the masked-patch MSE, in normalized-target units with norm_pix_loss).</summary>
    public static IReadOnlyList<MetricSpec> MetricSpecs { get; } = [MetricSpec.Min("train_loss"), MetricSpec.Min("val_loss")];

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, nn.Module Module)> Modules => [("mae", Model)];

    /// <inheritdoc/>
    public override IReadOnlyList<MetricSpec> Metrics => MetricSpecs;

    /// <inheritdoc/>
    public override MetricSpec DefaultMonitor => MetricSpec.Min("val_loss");

    /// <inheritdoc/>
    public nn.Module<Tensor, Tensor> Encoder => Model.Encoder;

    /// <inheritdoc/>
    public long FeatureCount => Model.Encoder.FeatureCount;

    /// <inheritdoc/>
    public override void OnDevice(Device device) => this.device = device;

    /// <inheritdoc/>
    public override Tensor TrainingStep(Batch batch, StepContext step)
    {
        var x = step.Input(batch.Images);
        return Loss(x, Noise(x.shape[0], step.Random("mae-mask").NextInt64()));
    }

    /// <inheritdoc/>
    public override TaskValidation Validate(IEnumerable<Batch> data, ValidationContext context)
    {
        double sum = 0;
        long count = 0;
        foreach (var batch in ValidationContext.Batches(data))
        {
            var x = context.Input(batch.Images);
            // One fixed mask per validation batch: the same masks every epoch.
            sum += Loss(x, Noise(x.shape[0], 1_000_003L * (batch.Number + 1))).item<float>() * x.shape[0];
            count += x.shape[0];
        }
        if (count == 0) throw new InvalidOperationException("the validation split yielded no batches: nothing to measure.");
        return new TaskValidation(new Dictionary<string, double> { ["loss"] = sum / count });
    }

    /// <inheritdoc/>
    public (Tensor Masked, Tensor Reconstruction, Tensor Original) Reconstruct(Tensor images, long seed)
    {
        bool wasTraining = Model.training;
        Model.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var dtype = Model.Encoder.parameters().First().dtype;
            var x = images.to(device).to(dtype);
            var (prediction, mask) = Model.call(x, Noise(x.shape[0], seed));
            var o = Model.Options;
            var original = Patches.Patchify(x.to(float32), o.PatchSize);
            var predicted = prediction.to(float32);
            if (o.NormPixLoss)
            {
                // The prediction is in per-patch normalized units; shown with each true patch's own statistics (as MAE's demo does).
                var mean = original.mean([-1], keepdim: true);
                var std = (original.var(-1, keepdim: true) + 1e-6).sqrt();
                predicted = predicted * std + mean;
            }
            var removed = mask.to(float32).unsqueeze(-1);
            var masked = original * (1 - removed);
            var pasted = original * (1 - removed) + predicted * removed;
            Tensor Image(Tensor p) => Patches.Unpatchify(p, o.PatchSize, o.Channels, x.shape[2], x.shape[3]).cpu().MoveToOuterDisposeScope();
            return (Image(masked), Image(pasted), Image(original));
        }
        finally
        {
            Model.train(wasTraining);
        }
    }

    Tensor Loss(Tensor x, Tensor noise)
    {
        var (prediction, mask) = Model.call(x, noise);
        var target = MaeLoss.Targets(x.to(float32), Model.Options.PatchSize, Model.Options.NormPixLoss);
        return MaeLoss.Compute(prediction.to(float32), target, mask);
    }

    // Uniform draws [N, L] from a generator of their own: the masks depend only on the seed, not on what else drew numbers.
    Tensor Noise(long n, long seed)
    {
        using var generator = new torch.Generator((ulong)seed);
        return torch.rand(n, Model.Encoder.PatchCount, generator: generator).to(device);
    }
}
