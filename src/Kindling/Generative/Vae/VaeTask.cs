using Kindling.Data.Loading;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Generative.Vae;

/// <summary>
/// A variational autoencoder (seed 004, 1.1), beta-VAE with <see cref="Beta"/> != 1: minimises BCE + beta * KL summed over
/// the batch, as the seed does (reduction 'sum'), with the reparameterization trick. Labels, if any, are not read.
/// Reports per image, in nats: train_loss (the objective), train_reconstruction, train_kl, train_elbo, and on validation
/// val_elbo (the evidence lower bound, -(reconstruction + KL) whatever beta is: higher is better, the default monitor),
/// val_reconstruction, val_kl and val_loss. Generates from the prior z ~ N(0, I) and interpolates between two images'
/// posterior means (the seed's <c>interpolate_latent</c>).
/// </summary>
/// <remarks>
/// The decoder's images are in [0, 1] (Bernoulli means), so the data must be too: a recipe leaves normalization off
/// (<c>data.mean: [0]</c>, <c>data.std: [1]</c>). Validation draws its one z per image from a generator seeded by
/// <see cref="ValidationSeed"/>, so the estimate is the same for the same weights and leaves training's random stream alone.
/// </remarks>
public sealed class VaeTask : TrainingTask, IImageGenerator
{
    /// <param name="network">The encoder and decoder.</param>
    /// <param name="beta">The KL weight (1: the VAE; the seed's beta-VAE example uses 4).</param>
    public VaeTask(VaeNetwork network, double beta = 1.0)
    {
        if (!(beta >= 0) || double.IsInfinity(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be a finite value >= 0.");
        Network_ = network;
        Beta = beta;
    }

    // Named with a trailing underscore: TrainingTask.Network is the engine's view of all modules.
    VaeNetwork Network_ { get; }

    /// <summary>The encoder and decoder.</summary>
    public VaeNetwork Vae => Network_;

    /// <summary>The KL weight.</summary>
    public double Beta { get; }

    /// <summary>Seeds the validation's latent draws.</summary>
    public long ValidationSeed { get; init; } = 20_240_601;

    /// <inheritdoc/>
    public int ConditionalClasses => 0;

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, nn.Module Module)> Modules => [("vae", Network_)];

    // Manual optimization only to log the loss per image: the step is the seed's (backward of the batch's sum, one Adam step).
    /// <inheritdoc/>
    public override bool AutomaticOptimization => false;

    /// <summary>The metrics every VAE reports.</summary>
    public static IReadOnlyList<MetricSpec> MetricSpecs { get; } =
    [
        MetricSpec.Min("train_loss"), MetricSpec.Min("train_reconstruction"), MetricSpec.Min("train_kl"), MetricSpec.Max("train_elbo"),
        MetricSpec.Max("val_elbo"), MetricSpec.Min("val_reconstruction"), MetricSpec.Min("val_kl"), MetricSpec.Min("val_loss"),
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<MetricSpec> Metrics => MetricSpecs;

    /// <inheritdoc/>
    public override MetricSpec DefaultMonitor => MetricSpec.Max("val_elbo");

    /// <inheritdoc/>
    public override Tensor? TrainingStep(Batch batch, StepContext step)
    {
        var x = step.Input(batch.Images);
        var (mu, logVar) = Network_.Encode(x);
        var z = VaeNetwork.Reparameterize(mu, logVar);
        var reconstruction = VaeLoss.Reconstruction(Network_.DecodeLogits(z), x);
        var kl = VaeLoss.Kl(mu, logVar);
        var loss = reconstruction.sum() + Beta * kl.sum();
        step.Backward(loss, "optimizer");
        step.Step("optimizer");
        double n = batch.Count, rec = reconstruction.sum().item<float>() / n, k = kl.sum().item<float>() / n;
        step.Log("loss", rec + Beta * k, n);
        step.Log("reconstruction", rec, n);
        step.Log("kl", k, n);
        step.Log("elbo", -(rec + k), n);
        return loss / n;
    }

    /// <inheritdoc/>
    public override TaskValidation Validate(IEnumerable<Batch> data, ValidationContext context)
    {
        var generator = new Generator((ulong)ValidationSeed);
        double rec = 0, kl = 0;
        long count = 0;
        foreach (var batch in ValidationContext.Batches(data))
        {
            var x = context.Input(batch.Images);
            var (mu, logVar) = Network_.Encode(x);
            var z = VaeNetwork.Reparameterize(mu, logVar, generator);
            rec += VaeLoss.Reconstruction(Network_.DecodeLogits(z), x).sum().item<float>();
            kl += VaeLoss.Kl(mu, logVar).sum().item<float>();
            count += batch.Count;
        }
        if (count == 0) throw new InvalidOperationException("the validation split yielded no batches: nothing to measure.");
        rec /= count;
        kl /= count;
        return new TaskValidation(new Dictionary<string, double>
        {
            ["elbo"] = -(rec + kl),
            ["reconstruction"] = rec,
            ["kl"] = kl,
            ["loss"] = rec + Beta * kl,
        });
    }

    /// <summary>Decoded draws from the prior N(0, I) (the seed's <c>generate_samples</c>): Bernoulli means in [0, 1].</summary>
    public Tensor Generate(int count, GenerationOptions options)
    {
        if (options.Class is int c)
            throw new ArgumentException($"this VAE is unconditional: it cannot draw class {c}; leave the class out.");
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "generate at least one image.");
        return Sampling.Run(Network_, (device, type) =>
        {
            var z = Sampling.Noise(count, Network_.Latent, options.Seed, options.Truncation);
            return Sampling.Chunked(count, options.BatchSize, (start, n) => Network_.Decode(z.narrow(0, start, n).to(type).to(device)));
        });
    }

    /// <summary>
    /// The seed's <c>interpolate_latent</c>: both images encoded to their posterior means, and <paramref name="steps"/> decoded
    /// points on the straight line between them ((1 - a) * mu1 + a * mu2, a = 0 .. 1): [steps, C, H, W] in [0, 1], on the CPU.
    /// </summary>
    /// <param name="from">One image [C, H, W] (or [1, C, H, W]) in the space of the training batches.</param>
    /// <param name="to">The other.</param>
    /// <param name="steps">Points on the line, both ends included (at least 2).</param>
    public Tensor Interpolate(Tensor from, Tensor to, int steps)
    {
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "interpolate over at least 2 steps (both ends).");
        var s = Network_.Shape;
        foreach (var (image, name) in new[] { (from, "from"), (to, "to") })
            if (image.numel() != s.Size)
                throw new ArgumentException($"the '{name}' image has shape [{string.Join(", ", image.shape)}]; this VAE takes {s} images.");
        return Sampling.Run(Network_, (device, type) =>
        {
            var (mu1, _) = Network_.Encode(from.reshape(1, s.Channels, s.Height, s.Width).to(type).to(device));
            var (mu2, _) = Network_.Encode(to.reshape(1, s.Channels, s.Height, s.Width).to(type).to(device));
            var alphas = linspace(0, 1, steps, dtype: type, device: device).unsqueeze(1);
            return Network_.Decode((1 - alphas) * mu1 + alphas * mu2);
        });
    }
}
