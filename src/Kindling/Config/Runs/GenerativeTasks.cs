using System.Globalization;
using Kindling.Data.Datasets;
using Kindling.Generative.Gan;
using Kindling.Generative.Vae;
using Kindling.Runtime;
using Kindling.Training.Tasks;

namespace Kindling.Config.Runs;

/// <summary>
/// The generative tasks of the catalog: <c>task: vae</c> (the <c>vae</c> section) and <c>task: gan</c> (the <c>gan</c> section),
/// each building its own networks (<see cref="TaskModel.Own"/>) for the data's shape and refusing data they cannot model.
/// </summary>
internal static class GenerativeTasks
{
    /// <summary>The VAE entry.</summary>
    public static TaskCatalog.Entry Vae { get; } = new("vae",
        "a variational autoencoder (seed MLP or convolutional; beta-VAE with vae.beta): ELBO in nats per image, samples from the prior",
        ["vae"], VaeTask.MetricSpecs, MetricSpec.Max("val_elbo"), CreateVae) { Model = TaskModel.Own };

    /// <summary>The GAN entry: its metrics are those of every variant (a WGAN-GP adds the Wasserstein estimate and the penalty).</summary>
    public static TaskCatalog.Entry Gan { get; } = new("gan",
        "a GAN (gan.arch: mlp, dcgan, conditional, projection, acgan, conditional_dcgan, wgan_gp): two players with their own optimizer steps, samples from noise",
        ["gan"], [.. GanTask.WassersteinMetrics, .. GanTask.BceMetrics.Where(m => GanTask.WassersteinMetrics.All(w => w.Name != m.Name))],
        MetricSpec.Max("val_d_loss"), CreateGan) { Model = TaskModel.Own };

    static TrainingTask CreateVae(TaskParts p)
    {
        var v = p.Recipe.Vae;
        var shape = p.Shape;
        // Binary cross-entropy reads the pixels as Bernoulli probabilities: the batches must hold them, in [0, 1].
        RequireRange(p.Recipe, 0, 1, "vae", "the VAE's decoder gives Bernoulli means and its loss is binary cross-entropy, so the pixels must stay in [0, 1]",
            "data.mean: [0] and data.std: [1]");
        if (v.Arch == "conv" && (shape.Height % 4 != 0 || shape.Width % 4 != 0))
            throw new RecipeException("recipe", [$"vae.arch: conv halves the image side twice, so it needs a side divisible by 4, but {p.Recipe.Data.Spec} has {shape} images; use vae.arch: mlp or resize the data (data.resize)."]);
        Seeding.SeedTorch(p.Recipe.Training.Seed);
        VaeNetwork network = v.Arch == "conv" ? new ConvVae(shape, v.Width, v.Hidden, v.Latent) : new MlpVae(shape, v.Hidden, v.Latent);
        return new VaeTask(network, v.Beta);
    }

    static TrainingTask CreateGan(TaskParts p)
    {
        var g = p.Recipe.Gan;
        var shape = p.Shape;
        RequireRange(p.Recipe, -1, 1, "gan", "the generator ends in tanh, so the pixels the discriminator compares its images with must lie in [-1, 1]",
            "data.mean: [0.5] and data.std: [0.5] (one value per channel)");
        if (g.UsesDcganGenerator && (shape.Height != shape.Width || shape.Height % 4 != 0))
            throw new RecipeException("recipe", [$"gan.arch: {g.Arch}'s generator upsamples a square map twice, so it needs square images with a side divisible by 4, but {p.Recipe.Data.Spec} has {shape} images; use gan.arch: mlp or resize the data (data.resize)."]);
        int classes = 0;
        if (g.Conditional)
        {
            if (p.Classes.Count < 2 || p.Train is { HasLabels: false })
                throw new RecipeException("recipe", [$"gan.arch: {g.Arch} learns the images of each class, but {p.Recipe.Data.Spec} has no labels (or a single class); use a labelled data set or gan.arch: mlp."]);
            classes = p.Classes.Count;
        }
        Seeding.SeedTorch(p.Recipe.Training.Seed);
        var eps = g.BatchNormEps;
        (GanGenerator generator, GanDiscriminator discriminator) = g.Arch switch
        {
            "mlp" => ((GanGenerator)new MlpGenerator(shape, g.Latent, 0, eps), (GanDiscriminator)new MlpDiscriminator(shape)),
            "conditional" => (new MlpGenerator(shape, g.Latent, classes, eps), new MlpDiscriminator(shape, classes)),
            "projection" => (new MlpGenerator(shape, g.Latent, classes, eps), new MlpDiscriminator(shape, classes, DiscriminatorConditioning.Projection)),
            "acgan" => (new MlpGenerator(shape, g.Latent, classes, eps), new MlpDiscriminator(shape, classes, DiscriminatorConditioning.Auxiliary)),
            "dcgan" => (new DcganGenerator(shape, g.Latent, eps, g.FuseUpsampleConv), new DcganDiscriminator(shape, batchNorm: true, dropout: 0.25, batchNormEps: eps)),
            "conditional_dcgan" => (new DcganGenerator(shape, g.Latent, eps, g.FuseUpsampleConv, classes),
                new DcganDiscriminator(shape, batchNorm: true, dropout: 0.25, batchNormEps: eps, classes: classes)),
            _ => (new DcganGenerator(shape, g.Latent, eps, g.FuseUpsampleConv), new DcganDiscriminator(shape, batchNorm: false, dropout: 0)),
        };
        return new GanTask(generator, discriminator, new GanOptions
        {
            Loss = g.Arch == "wgan_gp" ? GanLoss.Wasserstein : GanLoss.Bce,
            NCritic = g.ResolvedNCritic,
            GpLambda = g.GpLambda,
            RealLabel = g.LabelSmoothing,
            ClassLossWeight = g.ClassLossWeight,
        });
    }

    // Where normalize maps pixel 0 and pixel 1, per channel; the model's output range must hold both.
    static void RequireRange(Recipe recipe, double low, double high, string section, string why, string fix)
    {
        var mean = recipe.Data.Mean.Values;
        var std = recipe.Data.Std.Values;
        for (int c = 0; c < Math.Max(mean.Count, std.Count); c++)
        {
            double m = mean[Math.Min(c, mean.Count - 1)], s = std[Math.Min(c, std.Count - 1)];
            double a = (0 - m) / s, b = (1 - m) / s;
            if (Math.Min(a, b) < low - 1e-6 || Math.Max(a, b) > high + 1e-6)
                throw new RecipeException("recipe", [string.Create(CultureInfo.InvariantCulture,
                    $"data.mean/data.std: {why}, but mean {m:G4} and std {s:G4} map channel {c}'s pixels to [{Math.Min(a, b):G4}, {Math.Max(a, b):G4}]; set {fix} for task {section}.")]);
        }
    }
}
