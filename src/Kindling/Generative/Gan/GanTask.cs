using System.Text.Json.Nodes;
using Kindling.Data.Loading;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Generative.Gan;

/// <summary>
/// A GAN's two players trained against each other with manual optimization (seed 004, 1.2): the optimizer "discriminator"
/// steps every training step, the optimizer "generator" once every <see cref="GanOptions.NCritic"/> of them (its
/// <see cref="OptimizerSpec.Every"/>: counted in discriminator steps, not samples). BCE (GAN, DCGAN, cGAN; one-sided label
/// smoothing on real images) or Wasserstein with gradient penalty (WGAN-GP). A conditional pair (the networks' Classes > 0)
/// reads the batch's labels and generates the class asked for. With a discriminator that classifies images (AC-GAN) both players
/// also minimise class cross-entropies: the discriminator on real and generated images, the generator on its own.
/// </summary>
/// <remarks>
/// Reports train_d_loss and train_g_loss (both players' curves), for WGAN-GP train_wasserstein (the critic's estimate
/// E[D(real)] - E[D(fake)]) and train_gp. Validation scores held-out real images and as many samples from fixed noise:
/// val_d_loss (the discriminator's unsmoothed loss on them; for WGAN-GP minus the Wasserstein estimate, without penalty), and
/// val_d_real / val_d_fake (mean probabilities) or val_wasserstein. A GAN has no likelihood to select a checkpoint by; the
/// default monitor is val_d_loss, maximised: the epoch whose discriminator could least tell held-out images from samples.
/// </remarks>
public sealed class GanTask : TrainingTask, IImageGenerator
{
    /// <param name="generator">Noise (and labels) to images in [-1, 1].</param>
    /// <param name="discriminator">Images (and labels) to scores; conditioned on as many classes as the generator.</param>
    /// <param name="options">The game and its settings.</param>
    public GanTask(GanGenerator generator, GanDiscriminator discriminator, GanOptions? options = null)
    {
        Options = options ?? new GanOptions();
        Options.Validate();
        if (generator.Classes != discriminator.Classes)
            throw new ArgumentException($"the generator is conditioned on {generator.Classes} classes and the discriminator on {discriminator.Classes}: they must agree.");
        if (!generator.Shape.Equals(discriminator.Shape))
            throw new ArgumentException($"the generator makes {generator.Shape} images and the discriminator reads {discriminator.Shape}: they must agree.");
        if (discriminator.ClassifiesImages && Options.Loss == GanLoss.Wasserstein)
            throw new ArgumentException("an auxiliary-classifier discriminator plays the BCE game here (AC-GAN); the Wasserstein loss takes a critic without one.");
        Generator = generator;
        Discriminator = discriminator;
    }

    /// <summary>The generator.</summary>
    public GanGenerator Generator { get; }

    /// <summary>The discriminator (critic).</summary>
    public GanDiscriminator Discriminator { get; }

    /// <summary>The game and its settings.</summary>
    public GanOptions Options { get; }

    bool Wasserstein => Options.Loss == GanLoss.Wasserstein;

    bool Auxiliary => Discriminator.ClassifiesImages;

    /// <summary>Discriminator steps taken in the run (resumed with the checkpoint).</summary>
    public long DiscriminatorSteps { get; private set; }

    /// <summary>Generator steps taken in the run.</summary>
    public long GeneratorSteps { get; private set; }

    /// <inheritdoc/>
    public int ConditionalClasses => Generator.Classes;

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, nn.Module Module)> Modules => [("generator", Generator), ("discriminator", Discriminator)];

    /// <inheritdoc/>
    public override bool AutomaticOptimization => false;

    /// <inheritdoc/>
    public override IReadOnlyList<OptimizerSpec> ConfigureOptimizers() =>
    [
        new OptimizerSpec("discriminator") { Modules = ["discriminator"] },
        new OptimizerSpec("generator") { Modules = ["generator"], Every = Options.NCritic },
    ];

    /// <summary>The metrics of a BCE GAN.</summary>
    public static IReadOnlyList<MetricSpec> BceMetrics { get; } =
    [
        MetricSpec.Min("train_d_loss"), MetricSpec.Min("train_g_loss"),
        MetricSpec.Max("val_d_loss"), MetricSpec.Max("val_d_real"), MetricSpec.Max("val_d_fake"),
    ];

    /// <summary>The metrics of a WGAN-GP.</summary>
    public static IReadOnlyList<MetricSpec> WassersteinMetrics { get; } =
    [
        MetricSpec.Min("train_d_loss"), MetricSpec.Min("train_g_loss"), MetricSpec.Min("train_wasserstein"), MetricSpec.Min("train_gp"),
        MetricSpec.Max("val_d_loss"), MetricSpec.Min("val_wasserstein"),
    ];

    /// <summary>What an AC-GAN adds: both players' class losses, and the discriminator's accuracy on held-out images and on samples' asked classes.</summary>
    public static IReadOnlyList<MetricSpec> AuxiliaryMetrics { get; } =
    [
        MetricSpec.Min("train_d_class_loss"), MetricSpec.Min("train_g_class_loss"), MetricSpec.Max("val_class_accuracy"), MetricSpec.Max("val_sample_class_accuracy"),
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<MetricSpec> Metrics => Wasserstein ? WassersteinMetrics : Auxiliary ? [.. BceMetrics, .. AuxiliaryMetrics] : BceMetrics;

    /// <inheritdoc/>
    public override MetricSpec DefaultMonitor => MetricSpec.Max("val_d_loss");

    Tensor? Labels(Batch batch, Func<Tensor, Tensor> toDevice)
    {
        if (ConditionalClasses == 0) return null;
        if (!batch.HasLabels) throw new InvalidOperationException("a conditional GAN learns from labelled images, and this batch has no labels; use a labelled data set (not images:PATH).");
        return toDevice(batch.Labels);
    }

    /// <inheritdoc/>
    public override Tensor? TrainingStep(Batch batch, StepContext step)
    {
        var real = step.Input(batch.Images);
        long n = real.shape[0];
        var labels = Labels(batch, step.ToDevice);
        var type = step.ComputeType ?? float32;
        var z = randn([n, Generator.Latent], dtype: type, device: step.Device);
        var fake = Generator.Generate(z, labels);
        var detached = fake.detach();
        Tensor dLoss;
        if (Wasserstein)
        {
            var w = Discriminator.Score(real, labels).to(float32).mean() - Discriminator.Score(detached, labels).to(float32).mean();
            var gp = GradientPenalty.Compute(x => Discriminator.Score(x, labels), real, detached);
            dLoss = -w + Options.GpLambda * gp;
            step.Log("wasserstein", w.item<float>(), n);
            step.Log("gp", gp.item<float>(), n);
        }
        else if (Auxiliary)
        {
            var (realScore, realClasses) = Discriminator.ScoreAndClassify(real, labels);
            var (fakeScore, fakeClasses) = Discriminator.ScoreAndClassify(detached, labels);
            var classLoss = (ClassLoss(realClasses, labels!) + ClassLoss(fakeClasses, labels!)) / 2;
            dLoss = (Bce(realScore.to(float32), Options.RealLabel) + Bce(fakeScore.to(float32), 0)) / 2 + Options.ClassLossWeight * classLoss;
            step.Log("d_class_loss", classLoss.item<float>(), n);
        }
        else
        {
            var realScore = Discriminator.Score(real, labels).to(float32);
            var fakeScore = Discriminator.Score(detached, labels).to(float32);
            dLoss = (Bce(realScore, Options.RealLabel) + Bce(fakeScore, 0)) / 2;
        }
        step.Backward(dLoss, "discriminator");
        if (step.Step("discriminator")) DiscriminatorSteps++;
        step.Log("d_loss", dLoss.item<float>(), n);
        if (step.IsDue("generator"))
        {
            // The seed's GAN scores the same z's images again after the discriminator's step (the generator has not moved, so
            // they are `fake`); its WGAN-GP draws new noise for the generator's step.
            var generated = Wasserstein ? Generator.Generate(randn([n, Generator.Latent], dtype: type, device: step.Device), labels) : fake;
            Tensor gLoss;
            if (Auxiliary)
            {
                var (score, classes) = Discriminator.ScoreAndClassify(generated, labels);
                var classLoss = ClassLoss(classes, labels!);
                gLoss = Bce(score.to(float32), 1) + Options.ClassLossWeight * classLoss;
                step.Log("g_class_loss", classLoss.item<float>(), n);
            }
            else
            {
                var score = Discriminator.Score(generated, labels).to(float32);
                gLoss = Wasserstein ? -score.mean() : Bce(score, 1);
            }
            step.Backward(gLoss, "generator");
            if (step.Step("generator")) GeneratorSteps++;
            step.Log("g_loss", gLoss.item<float>(), n);
        }
        return null;
    }

    static Tensor Bce(Tensor logits, double target) => nn.functional.binary_cross_entropy_with_logits(logits, full_like(logits, target));

    static Tensor ClassLoss(Tensor logits, Tensor labels) => nn.functional.cross_entropy(logits.to(float32), labels);

    /// <inheritdoc/>
    public override TaskValidation Validate(IEnumerable<Batch> data, ValidationContext context)
    {
        var noise = new Generator((ulong)Options.ValidationSeed);
        var type = context.ComputeType ?? float32;
        double realSum = 0, fakeSum = 0, lossSum = 0;
        long count = 0, realRight = 0, fakeRight = 0;
        foreach (var batch in ValidationContext.Batches(data))
        {
            var real = context.Input(batch.Images);
            long n = real.shape[0];
            var labels = Labels(batch, t => t.to(context.Device));
            var z = randn([n, Generator.Latent], generator: noise).to(type).to(context.Device);
            Tensor realScore, fakeScore;
            if (Auxiliary)
            {
                (realScore, var realClasses) = Discriminator.ScoreAndClassify(real, labels);
                (fakeScore, var fakeClasses) = Discriminator.ScoreAndClassify(Generator.Generate(z, labels), labels);
                realRight += realClasses.argmax(1).eq(labels!).sum().item<long>();
                fakeRight += fakeClasses.argmax(1).eq(labels!).sum().item<long>();
                (realScore, fakeScore) = (realScore.to(float32), fakeScore.to(float32));
            }
            else
            {
                realScore = Discriminator.Score(real, labels).to(float32);
                fakeScore = Discriminator.Score(Generator.Generate(z, labels), labels).to(float32);
            }
            if (Wasserstein)
            {
                realSum += realScore.sum().item<float>();
                fakeSum += fakeScore.sum().item<float>();
            }
            else
            {
                realSum += realScore.sigmoid().sum().item<float>();
                fakeSum += fakeScore.sigmoid().sum().item<float>();
                lossSum += (nn.functional.binary_cross_entropy_with_logits(realScore, ones_like(realScore), reduction: nn.Reduction.Sum)
                    + nn.functional.binary_cross_entropy_with_logits(fakeScore, zeros_like(fakeScore), reduction: nn.Reduction.Sum)).item<float>() / 2;
            }
            count += n;
        }
        if (count == 0) throw new InvalidOperationException("the validation split yielded no batches: nothing to measure.");
        var metrics = Wasserstein
            ? new Dictionary<string, double> { ["d_loss"] = -(realSum - fakeSum) / count, ["wasserstein"] = (realSum - fakeSum) / count }
            : new Dictionary<string, double> { ["d_loss"] = lossSum / count, ["d_real"] = realSum / count, ["d_fake"] = fakeSum / count };
        if (Auxiliary)
        {
            metrics["class_accuracy"] = (double)realRight / count;
            metrics["sample_class_accuracy"] = (double)fakeRight / count;
        }
        return new TaskValidation(metrics);
    }

    /// <summary>
    /// Images from noise drawn with the options' seed: [count, C, H, W] in [-1, 1]. A conditional generator draws the asked
    /// class, or classes in turn (0, 1, ..., 0, 1, ...) without one; an unconditional one refuses a class.
    /// </summary>
    public Tensor Generate(int count, GenerationOptions options)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "generate at least one image.");
        if (options.Class is int c)
        {
            if (ConditionalClasses == 0) throw new ArgumentException($"this GAN is unconditional: it cannot draw class {c}; leave the class out, or train a conditional GAN (gan.arch: conditional).");
            if (c < 0 || c >= ConditionalClasses) throw new ArgumentException($"class {c} is not one this conditional GAN was trained on: it has classes 0 to {ConditionalClasses - 1}.");
        }
        return Sampling.Run(Network, (device, type) =>
        {
            var z = Sampling.Noise(count, Generator.Latent, options.Seed, options.Truncation);
            var labels = ConditionalClasses == 0 ? null
                : options.Class is int k ? full([count], k, dtype: int64) : arange(count, dtype: int64).remainder(ConditionalClasses);
            return Sampling.Chunked(count, options.BatchSize, (start, n) =>
                Generator.Generate(z.narrow(0, start, n).to(type).to(device), labels?.narrow(0, start, n).to(device)));
        });
    }

    /// <inheritdoc/>
    public override TaskState SaveState() => new(new Dictionary<string, Tensor>(),
        new JsonObject { ["discriminator_steps"] = DiscriminatorSteps, ["generator_steps"] = GeneratorSteps });

    /// <inheritdoc/>
    public override void LoadState(TaskState state)
    {
        DiscriminatorSteps = (long?)state.Values["discriminator_steps"] ?? 0;
        GeneratorSteps = (long?)state.Values["generator_steps"] ?? 0;
    }
}
