using Kindling.Data.Loading;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Training.Tasks;

/// <summary>
/// An autoencoder: the module maps a batch of inputs to their reconstruction, trained on a reconstruction loss (mean
/// squared error, or binary cross-entropy on logits for inputs in [0, 1]); labels, if any, are not read. Reports
/// train_loss and val_loss (the same loss, per element), and val_psnr for MSE on [0, 1] data.
/// </summary>
public sealed class AutoencoderTask : TrainingTask
{
    /// <param name="autoencoder">Inputs [N, ...] in, reconstructions of the same shape out (logits for "bce").</param>
    /// <param name="loss">"mse" or "bce" (binary cross-entropy with logits; targets must lie in [0, 1]).</param>
    public AutoencoderTask(nn.Module<Tensor, Tensor> autoencoder, string loss = "mse")
    {
        if (loss is not ("mse" or "bce")) throw new ArgumentException($"reconstruction loss '{loss}' is not known: expected 'mse' or 'bce'.", nameof(loss));
        Autoencoder = autoencoder;
        LossName = loss;
    }

    public nn.Module<Tensor, Tensor> Autoencoder { get; }

    /// <summary>"mse" or "bce".</summary>
    public string LossName { get; }

    public override IReadOnlyList<(string Name, nn.Module Module)> Modules => [("autoencoder", Autoencoder)];

    public override IReadOnlyList<MetricSpec> Metrics { get; } = [MetricSpec.Min("train_loss"), MetricSpec.Min("val_loss"), MetricSpec.Max("val_psnr")];

    public override MetricSpec DefaultMonitor => MetricSpec.Min("val_loss");

    public override Tensor TrainingStep(Batch batch, StepContext step)
    {
        var x = step.Input(batch.Images);
        return Loss(Autoencoder.forward(x).to(float32), x.to(float32));
    }

    /// <inheritdoc/>
    public override bool ReducesValidation => true;

    public override TaskValidation Validate(IEnumerable<Batch> data, ValidationContext context)
    {
        double sum = 0, squared = 0;
        long elements = 0;
        foreach (var batch in ValidationContext.Batches(data))
        {
            var x = context.Input(batch.Images);
            var output = Autoencoder.forward(x).to(float32);
            var target = x.to(float32);
            long n = target.numel();
            sum += Loss(output, target).item<float>() * (double)n;
            var reconstruction = LossName == "bce" ? output.sigmoid() : output;
            squared += (reconstruction - target).square().sum().item<float>();
            elements += n;
        }
        if (context.Replicas > 1)
        {
            var total = context.SumAcrossReplicas([sum, squared, elements]);
            (sum, squared, elements) = (total[0], total[1], (long)total[2]);
        }
        if (elements == 0) throw new InvalidOperationException("the validation split yielded no batches: nothing to measure.");
        double mse = squared / elements;
        return new TaskValidation(new Dictionary<string, double>
        {
            ["loss"] = sum / elements,
            // Peak signal-to-noise ratio for a signal range of 1 (pixels scaled to [0, 1]).
            ["psnr"] = 10 * Math.Log10(1 / Math.Max(mse, 1e-12)),
        });
    }

    Tensor Loss(Tensor output, Tensor target) => LossName == "bce"
        ? nn.functional.binary_cross_entropy_with_logits(output, target)
        : nn.functional.mse_loss(output, target);
}
