using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Generative;
using Kindling.Generative.Gan;
using Kindling.Generative.Vae;
using Kindling.Runtime;
using Kindling.Tests.Training.Tasks;
using Kindling.Training;
using Kindling.Training.Callbacks;
using Kindling.Training.Tasks;
using static TorchSharp.torch;

namespace Kindling.Tests.Generative;

/// <summary>The VAE and every GAN variant on the engine: exact resume, the n_critic schedule, generation and the conditional GAN's class handling.</summary>
[Collection("GlobalGenerator")]
public class GenerativeTaskTests
{
    static readonly ImageShape Shape = new(1, 8, 8);
    static readonly Kindling.Optim.OptimizerOptions Adam = new() { Name = "adam", Lr = 2e-4, Beta1 = 0.5, Beta2 = 0.999 };

    static TrainerOptions Options(int epochs) => new() { Epochs = epochs, Device = "cpu", Seed = 3, Threads = 1, Optimizer = Adam };

    // 40 images of three blobs, with labels; pixels in [0, 1] (VAE) or [-1, 1] (GAN).
    static (Tensor Images, Tensor Labels) Data(bool signed, int count = 40)
    {
        var g = new TorchSharp.torch.Generator(11);
        var labels = arange(count, dtype: int64).remainder(3);
        var images = rand([count, 1, 8, 8], generator: g) * 0.3;
        for (int i = 0; i < count; i++) images[i, 0, TensorIndex.Slice(2 * (int)labels[i].item<long>(), 2 * (int)labels[i].item<long>() + 3)] += 0.6;
        images = images.clamp(0, 1);
        return (signed ? images * 2 - 1 : images, labels);
    }

    static TensorLoader Loader(bool signed, bool shuffle = true) { var (x, y) = Data(signed); return new TensorLoader(x, y, batchSize: 8, shuffle: shuffle, seed: 5); }

    static TrainingTask Vae(long seed, string arch)
    {
        manual_seed(seed);
        return new VaeTask(arch == "conv" ? new ConvVae(Shape, width: 4, hidden: 16, latent: 3) : new MlpVae(Shape, hidden: 16, latent: 3), beta: 2);
    }

    static GanTask Gan(long seed, string arch, int nCritic = 2)
    {
        manual_seed(seed);
        return arch switch
        {
            "mlp" => new GanTask(new MlpGenerator(Shape, latent: 8), new MlpDiscriminator(Shape), new GanOptions { NCritic = nCritic }),
            "conditional" => new GanTask(new MlpGenerator(Shape, latent: 8, classes: 3), new MlpDiscriminator(Shape, classes: 3), new GanOptions { NCritic = nCritic }),
            "projection" => new GanTask(new MlpGenerator(Shape, latent: 8, classes: 3), new MlpDiscriminator(Shape, classes: 3, conditioning: DiscriminatorConditioning.Projection),
                new GanOptions { NCritic = nCritic }),
            "acgan" => new GanTask(new MlpGenerator(Shape, latent: 8, classes: 3), new MlpDiscriminator(Shape, classes: 3, conditioning: DiscriminatorConditioning.Auxiliary),
                new GanOptions { NCritic = nCritic }),
            "dcgan" => new GanTask(new DcganGenerator(Shape, latent: 8), new DcganDiscriminator(Shape), new GanOptions { NCritic = nCritic }),
            "conditional_dcgan" => new GanTask(new DcganGenerator(Shape, latent: 8, classes: 3), new DcganDiscriminator(Shape, classes: 3), new GanOptions { NCritic = nCritic }),
            _ => new GanTask(new DcganGenerator(Shape, latent: 8), new DcganDiscriminator(Shape, batchNorm: false, dropout: 0),
                new GanOptions { Loss = GanLoss.Wasserstein, NCritic = nCritic }),
        };
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("conv")]
    public void TheVaeResumesExactlyAndReportsTheElboAndItsTerms(string arch)
    {
        using var dir = new TempDir();
        var (full, resumed, a, b) = TaskRuns.FullAndResumed(seed => Vae(seed, arch), Options(2) with { Optimizer = Adam with { Lr = 1e-3, Beta1 = 0.9 } },
            () => Loader(false), () => Loader(false, shuffle: false), dir.Path, epoch: 2, batch: 2);
        TaskRuns.AssertSameMetrics(full, resumed);
        TaskRuns.AssertSameWeights(a, b);
        var last = full.History[^1];
        // The ELBO is minus the sum of its terms whatever beta is; the loss weighs the KL by beta (2 here).
        Assert.Equal(-(last.Get("val_reconstruction")!.Value + last.Get("val_kl")!.Value), last.Get("val_elbo")!.Value, 6);
        Assert.Equal(last.Get("val_reconstruction")!.Value + 2 * last.Get("val_kl")!.Value, last.Get("val_loss")!.Value, 6);
        Assert.True(last.Get("val_kl") > 0);
        Assert.True(full.History[1].Get("train_loss") < full.History[0].Get("train_loss"));
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("dcgan")]
    [InlineData("conditional")]
    [InlineData("projection")]
    [InlineData("acgan")]
    [InlineData("conditional_dcgan")]
    [InlineData("wgan_gp")]
    public void EveryGanResumesExactlyWithBothPlayersCurves(string arch)
    {
        using var dir = new TempDir();
        var (full, resumed, a, b) = TaskRuns.FullAndResumed(seed => Gan(seed, arch), Options(2), () => Loader(true), () => Loader(true, shuffle: false),
            dir.Path, epoch: 2, batch: 2);
        TaskRuns.AssertSameMetrics(full, resumed);
        TaskRuns.AssertSameWeights(a, b);
        foreach (var name in new[] { "train_d_loss", "train_g_loss", "val_d_loss" }) Assert.True(full.History.All(h => h.Values.ContainsKey(name)), name);
        if (arch == "wgan_gp") Assert.True(full.History.All(h => h.Values.ContainsKey("train_wasserstein") && h.Values.ContainsKey("train_gp")));
        var acMetrics = new[] { "train_d_class_loss", "train_g_class_loss", "val_class_accuracy", "val_sample_class_accuracy" };
        Assert.Equal(arch == "acgan", full.History.All(h => acMetrics.All(h.Values.ContainsKey)));
    }

    [Fact]
    public void AProjectionDiscriminatorAddsTheLabelsEmbeddingDottedWithItsFeatures()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(4);
        using var d = new MlpDiscriminator(Shape, classes: 3, conditioning: DiscriminatorConditioning.Projection);
        var (images, labels) = Data(true, 6);
        var parameters = d.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal([3L, 256L], parameters["label_proj.weight"].shape);
        Assert.False(parameters.ContainsKey("label_emb.weight"));
        // h: the 256 features after the second LeakyReLU; the score is model.4(h) + label_proj(y) . h.
        var flat = images.reshape(6, -1);
        var h = nn.functional.leaky_relu(nn.functional.linear(nn.functional.leaky_relu(nn.functional.linear(flat, parameters["model.0.weight"], parameters["model.0.bias"]), 0.2),
            parameters["model.2.weight"], parameters["model.2.bias"]), 0.2);
        var expected = nn.functional.linear(h, parameters["model.4.weight"], parameters["model.4.bias"])
            + (parameters["label_proj.weight"].index_select(0, labels) * h).sum(1, keepdim: true);
        var actual = d.Score(images, labels);
        Assert.True(allclose(actual, expected, 1e-5, 1e-5), $"{actual.sub(expected).abs().max().item<float>()}");
        Assert.False(actual.equal(d.Score(images, labels.add(1).remainder(3))).all().item<bool>());

        // The DCGAN discriminator's projection: adv_layer(f) + label_proj(y) . f, f the flattened features.
        using var conv = new DcganDiscriminator(Shape, classes: 3);
        conv.eval();
        var convParameters = conv.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var withoutLabels = conv.Score(images, labels) - (convParameters["label_proj.weight"].index_select(0, labels) * FlatFeatures(conv, images)).sum(1, keepdim: true);
        var otherLabels = labels.add(2).remainder(3);
        var withoutOther = conv.Score(images, otherLabels) - (convParameters["label_proj.weight"].index_select(0, otherLabels) * FlatFeatures(conv, images)).sum(1, keepdim: true);
        Assert.True(allclose(withoutLabels, withoutOther, 1e-5, 1e-5));
    }

    static Tensor FlatFeatures(DcganDiscriminator d, Tensor images)
    {
        var model = (nn.Module<Tensor, Tensor>)d.named_children().First(c => c.name == "model").module;
        return model.forward(images).reshape(images.shape[0], -1);
    }

    [Fact]
    public void AnAcGanDiscriminatorClassifiesFromTheImageAloneAndLearnsTheClasses()
    {
        TorchRuntime.EnsureLoaded();
        var task = Gan(2, "acgan");
        var (images, labels) = Data(true);
        // The label is not an input: other labels give the same score and class logits.
        var (score, logits) = task.Discriminator.ScoreAndClassify(images, labels);
        var (otherScore, otherLogits) = task.Discriminator.ScoreAndClassify(images, labels.add(1).remainder(3));
        Assert.True(score.equal(otherScore).all().item<bool>() && logits.equal(otherLogits).all().item<bool>());
        Assert.Equal([40L, 3L], logits.shape);
        // The class loss trains the head: on the three blob classes the held-out accuracy ends well above chance (1/3).
        var history = new Trainer(Options(12)).Fit(task, Loader(true), Loader(true, shuffle: false));
        Assert.True(history.History[^1].Get("val_class_accuracy") > 0.9, $"val_class_accuracy {history.History[^1].Get("val_class_accuracy")}");
        Assert.Throws<NotSupportedException>(() => new MlpDiscriminator(Shape, classes: 3).ScoreAndClassify(images, labels));
        Assert.Throws<ArgumentException>(() => new GanTask(new MlpGenerator(Shape, latent: 8, classes: 3),
            new MlpDiscriminator(Shape, classes: 3, conditioning: DiscriminatorConditioning.Auxiliary), new GanOptions { Loss = GanLoss.Wasserstein }));
    }

    // Records both players' step counts after every batch.
    sealed class StepLog(GanTask task) : ITrainerCallback
    {
        public List<(long D, long G)> Steps { get; } = [];
        public void OnBatchEnd(TrainerState state, BatchInfo batch) => Steps.Add((task.DiscriminatorSteps, task.GeneratorSteps));
    }

    [Theory]
    [InlineData("wgan_gp", 5)]
    [InlineData("mlp", 3)]
    [InlineData("mlp", 1)]
    public void TheGeneratorStepsExactlyOnceEveryNCriticCriticSteps(string arch, int nCritic)
    {
        var task = Gan(1, arch, nCritic);
        var log = new StepLog(task);
        // 5 batches an epoch, 3 epochs: 15 critic steps; the count runs on across epochs (not per epoch, not per sample).
        new Trainer(Options(3), [log]).Fit(task, Loader(true));
        Assert.Equal(15, log.Steps.Count);
        for (int i = 0; i < log.Steps.Count; i++) Assert.Equal((i + 1L, (i + 1L) / nCritic), log.Steps[i]);
    }

    [Fact]
    public void GeneratorsAreReproducibleFromASeedAndLeaveTheModesAsTheyWere()
    {
        TorchRuntime.EnsureLoaded();
        foreach (var task in new IImageGenerator[] { (IImageGenerator)Vae(1, "conv"), Gan(1, "dcgan"), Gan(1, "conditional") })
        {
            var network = ((TrainingTask)task).Network;
            network.train();
            var a = task.Generate(10, new GenerationOptions { Seed = 4, BatchSize = 3 });
            var b = task.Generate(10, new GenerationOptions { Seed = 4 });
            var c = task.Generate(10, new GenerationOptions { Seed = 5 });
            Assert.Equal([10L, 1, 8, 8], a.shape);
            // Batch size 3 against 256: convolution kernels may sum in another order, so equal to float rounding.
            Assert.True(allclose(a, b, 1e-4, 1e-5));
            Assert.True(a.equal(task.Generate(10, new GenerationOptions { Seed = 4, BatchSize = 3 })).all().item<bool>());
            Assert.False(a.equal(c).all().item<bool>());
            Assert.True(network.training);
            Assert.False(a.requires_grad);
        }
    }

    [Fact]
    public void TheConditionalGanDrawsTheClassAskedForAndRefusesOthers()
    {
        TorchRuntime.EnsureLoaded();
        var cgan = Gan(1, "conditional");
        Assert.Equal(3, cgan.ConditionalClasses);
        // Class 1 for all ten equals the class-1 images of "classes in turn" drawn from the same noise (rows 1, 4, 7).
        var inTurn = cgan.Generate(9, new GenerationOptions { Seed = 2 });
        var ones = cgan.Generate(9, new GenerationOptions { Seed = 2, Class = 1 });
        foreach (var i in new[] { 1, 4, 7 }) Assert.True(allclose(inTurn[i], ones[i]));
        Assert.False(allclose(inTurn[0], ones[0]));
        var e = Assert.Throws<ArgumentException>(() => cgan.Generate(4, new GenerationOptions { Class = 3 }));
        Assert.Contains("class 3 is not one this conditional GAN was trained on: it has classes 0 to 2", e.Message);
        Assert.Throws<ArgumentException>(() => cgan.Generate(4, new GenerationOptions { Class = -1 }));
        var plain = Gan(1, "mlp");
        Assert.Equal(0, plain.ConditionalClasses);
        Assert.Contains("unconditional", Assert.Throws<ArgumentException>(() => plain.Generate(4, new GenerationOptions { Class = 0 })).Message);
        Assert.Contains("unconditional", Assert.Throws<ArgumentException>(() => ((VaeTask)Vae(1, "mlp")).Generate(4, new GenerationOptions { Class = 0 })).Message);
        Assert.Throws<ArgumentException>(() => new GanTask(new MlpGenerator(Shape, 8, classes: 3), new MlpDiscriminator(Shape, classes: 4)));
        // Unlabelled batches cannot train a conditional GAN: the error says why.
        var unlabelled = new TensorLoader(Data(true).Images, batchSize: 8);
        var x = Assert.Throws<InvalidOperationException>(() => new Trainer(Options(1)).Fit(cgan, unlabelled));
        Assert.Contains("conditional GAN learns from labelled images", x.Message);
    }

    [Fact]
    public void TheVaeInterpolatesBetweenTwoImagesPosteriorMeans()
    {
        TorchRuntime.EnsureLoaded();
        var vae = (VaeTask)Vae(1, "mlp");
        var (images, _) = Data(false);
        var strip = vae.Interpolate(images[0], images[1], 5);
        Assert.Equal([5L, 1, 8, 8], strip.shape);
        // The ends are the decoded posterior means of the two images.
        using (inference_mode())
        {
            vae.Vae.eval();
            var (mu, _) = vae.Vae.Encode(images.narrow(0, 0, 2));
            var ends = vae.Vae.Decode(mu);
            Assert.True(allclose(strip[0], ends[0], 1e-5, 1e-6));
            Assert.True(allclose(strip[4], ends[1], 1e-5, 1e-6));
        }
        Assert.Contains("this VAE takes 1x8x8 images", Assert.Throws<ArgumentException>(() => vae.Interpolate(images[0], rand(1, 6, 6), 5)).Message);
    }
}
