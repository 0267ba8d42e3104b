using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Generative.Gan;
using Kindling.Generative.Vae;
using Kindling.Reporting;
using Kindling.Tests.Cli;
using SkiaSharp;

namespace Kindling.Tests.Generative;

/// <summary>
/// task: vae and task: gan from recipes: training writes sample grids (plots, report, TensorBoard), `kindling sample` and
/// `kindling interpolate` read the checkpoints, and recipes the models cannot train on are refused with clear messages.
/// </summary>
[Collection("Console")]
public class GenerativeRecipeTests
{
    static string Recipe(string spec, string task, string section, string mean = "[0]", string std = "[1]", int epochs = 1) => $"""
        task: {task}
        data:
          spec: {spec}
          validation:
            holdout: 6
          batch_size: 8
          num_workers: 0
          mean: {mean}
          std: {std}
        transforms:
          train: []
          eval: []
        {section}
        optimizer:
          name: adam
          lr: 1.0e-3
        training:
          epochs: {epochs}
          device: cpu
          threads: 1
        """;

    static string Pictures(TempDir tmp, int side = 8)
    {
        var path = Path.Combine(tmp.Path, $"pictures{side}");
        TinyPictures.Write(path, 8, side);
        return path;
    }

    [Fact]
    public void AVaeTrainsFromARecipeWithSampleGridsAndTheCommandsSampleAndInterpolateItsCheckpoint()
    {
        using var tmp = new TempDir();
        var pictures = Pictures(tmp);
        var recipe = Path.Combine(tmp.Path, "vae.yaml");
        File.WriteAllText(recipe, Recipe($"imagefolder:{pictures}", "vae", "vae:\n  arch: conv\n  latent: 4\n  hidden: 16\n  width: 4\n  beta: 1.5", epochs: 2));
        var run = Path.Combine(tmp.Path, "run");
        var (code, output, error) = CliRunner.Kindling("train", "--config", recipe, "--out", run);
        Assert.True(code == 0, output + error);
        Assert.Contains("val elbo", output);
        // A VAE gets the one doctor check that is not a classifier's: the machine's convolutions (right here, so quiet).
        Assert.Contains("doctor: 0 errors, 0 warnings, 0 info from 1 check\n", error.Replace("\r", ""));
        var plots = Path.Combine(run, "plots");
        foreach (var file in new[] { "samples-epoch-001.png", "samples-epoch-002.png", "samples.png" }) Assert.True(File.Exists(Path.Combine(plots, file)), file);
        // make_grid of 64 RGB 8x8 images in rows of 8, padding 2: 8 * 10 + 2 = 82 pixels a side.
        using (var grid = SKBitmap.Decode(Path.Combine(plots, "samples.png"))) Assert.Equal((82, 82), (grid.Width, grid.Height));
        var report = File.ReadAllText(Path.Combine(run, "report.md"));
        Assert.Contains("## Samples", report);
        Assert.Contains("![generated samples](plots/samples.png)", report);
        Assert.DoesNotContain("plots/samples-epoch-001.png)", report);
        var events = Directory.GetFiles(Path.Combine(run, "tensorboard"), "*.samples");
        Assert.Single(events);
        Assert.True(new FileInfo(events[0]).Length > 2 * 100, "the TensorBoard image events hold the PNGs");
        Assert.Contains("val_elbo", File.ReadAllText(Path.Combine(run, "summary.json")));

        var checkpoint = Path.Combine(run, "checkpoints", "last.ckpt");
        var samples = Path.Combine(tmp.Path, "samples.png");
        (code, output, error) = CliRunner.Kindling("sample", "--checkpoint", checkpoint, "--n", "6", "--nrow", "3", "--seed", "7", "--out", samples);
        Assert.True(code == 0, output + error);
        using (var grid = SKBitmap.Decode(samples)) Assert.Equal((3 * 10 + 2, 2 * 10 + 2), (grid.Width, grid.Height));
        var again = Path.Combine(tmp.Path, "again.png");
        CliRunner.Kindling("sample", "--checkpoint", checkpoint, "--n", "6", "--nrow", "3", "--seed", "7", "--out", again);
        Assert.Equal(File.ReadAllBytes(samples), File.ReadAllBytes(again));
        (code, _, error) = CliRunner.Kindling("sample", "--checkpoint", checkpoint, "--n", "4", "--class", "1", "--out", samples);
        Assert.NotEqual(0, code);
        Assert.Contains("unconditional", error);

        var strip = Path.Combine(tmp.Path, "strip.png");
        var from = Path.Combine(pictures, "red", "000.png");
        var to = Path.Combine(pictures, "blue", "000.png");
        (code, output, error) = CliRunner.Kindling("interpolate", "--checkpoint", checkpoint, "--from", from, "--to", to, "--steps", "5", "--out", strip);
        Assert.True(code == 0, output + error);
        using (var row = SKBitmap.Decode(strip)) Assert.Equal((5 * 10 + 2, 12), (row.Width, row.Height));
        var big = Pictures(tmp, side: 6);
        (code, _, error) = CliRunner.Kindling("interpolate", "--checkpoint", checkpoint, "--from", Path.Combine(big, "red", "000.png"), "--to", to, "--out", strip);
        Assert.NotEqual(0, code);
        Assert.Contains("is 6x6, but the checkpoint's VAE takes 8x8 images", error);
    }

    [Theory]
    [InlineData("vae", "vae:\n  arch: conv\n  latent: 4\n  hidden: 16\n  width: 4", "[0]", "[1]")]
    [InlineData("gan", "gan:\n  arch: dcgan\n  latent: 8", "[0.5]", "[0.5]")]
    public void TrainingWithSampleGridsAndALoaderThreadCreatesNoTensorOutsideAScope(string task, string section, string mean, string std)
    {
        using var tmp = new TempDir();
        var folder = RunFolder.Create(Path.Combine(tmp.Path, "run"));
        // TensorBoard on: its callback writes the sample grids as images too.
        var recipe = Kindling.Config.Recipe.Parse(Recipe($"imagefolder:{Pictures(tmp)}", task, section, mean, std, epochs: 2).Replace("num_workers: 0", "num_workers: 1"));
        var counter = new Kindling.Tests.Training.OutsideScopeCounter();
        using (var training = RecipeTraining.Open(recipe, folder)) training.Finish(training.Fit([counter]));
        Assert.True(File.Exists(Path.Combine(folder.PlotsDir, "samples-epoch-002.png")));
        Assert.Equal(0, counter.Created);
    }

    [Fact]
    public void AConditionalGanSamplesTheClassAskedForByNameOrIndexAndInterpolateRefusesIt()
    {
        using var tmp = new TempDir();
        var pictures = Pictures(tmp);
        var folder = RunFolder.Create(Path.Combine(tmp.Path, "run"));
        var recipe = Kindling.Config.Recipe.Parse(Recipe($"imagefolder:{pictures}", "gan", "gan:\n  arch: conditional\n  latent: 8", "[0.5]", "[0.5]")
            + "\nlogging:\n  tensorboard: false\n");
        using (var training = RecipeTraining.Open(recipe, folder))
        {
            var task = Assert.IsType<GanTask>(training.Run.Task);
            Assert.Equal(3, task.ConditionalClasses);
            training.Finish(training.Fit());
        }
        // One row per class in the grids.
        using (var grid = SKBitmap.Decode(Path.Combine(folder.PlotsDir, "samples.png"))) Assert.Equal(3 * 10 + 2, grid.Height);
        var checkpoint = Path.Combine(folder.CheckpointsDir, "last.ckpt");
        var output = Path.Combine(tmp.Path, "green.png");
        var (code, stdout, error) = CliRunner.Kindling("sample", "--checkpoint", checkpoint, "--n", "4", "--class", "green", "--out", output);
        Assert.True(code == 0, stdout + error);
        Assert.Contains("class 1 (green)", stdout);
        Assert.Contains("the checkpoint's weights", stdout);
        (code, _, error) = CliRunner.Kindling("sample", "--checkpoint", checkpoint, "--n", "4", "--class", "3", "--out", output);
        Assert.NotEqual(0, code);
        Assert.Contains("class 3 is not one this conditional GAN was trained on: it has classes 0 to 2", error);
        (code, _, error) = CliRunner.Kindling("sample", "--checkpoint", checkpoint, "--class", "purple", "--out", output);
        Assert.NotEqual(0, code);
        Assert.Contains("neither a class index nor one of the classes", error);
        (code, _, error) = CliRunner.Kindling("interpolate", "--checkpoint", checkpoint, "--from", output, "--to", output, "--out", output);
        Assert.NotEqual(0, code);
        Assert.Contains("interpolate works on VAE checkpoints", error);
    }

    [Fact]
    public void SampleDrawsFromTheRunsAveragedWeightsUnlessAskedForTheRawOnes()
    {
        using var tmp = new TempDir();
        var recipe = Path.Combine(tmp.Path, "gan.yaml");
        File.WriteAllText(recipe, Recipe($"imagefolder:{Pictures(tmp)}", "gan", "gan:\n  latent: 8", "[0.5]", "[0.5]", epochs: 2)
            + "\n  ema:\n    decay: 0.5\n");
        var run = Path.Combine(tmp.Path, "run");
        var (code, output, error) = CliRunner.Kindling("train", "--config", recipe, "--out", run, "--no-doctor");
        Assert.True(code == 0, output + error);
        var checkpoint = Path.Combine(run, "checkpoints", "last.ckpt");
        string averaged = Path.Combine(tmp.Path, "averaged.png"), raw = Path.Combine(tmp.Path, "raw.png");
        (code, output, error) = CliRunner.Kindling("sample", "--checkpoint", checkpoint, "--n", "4", "--out", averaged);
        Assert.True(code == 0, output + error);
        Assert.Contains("averaged weights (training.ema)", output);
        (code, output, error) = CliRunner.Kindling("sample", "--checkpoint", checkpoint, "--n", "4", "--raw-weights", "--out", raw);
        Assert.True(code == 0, output + error);
        Assert.Contains("the checkpoint's weights", output);
        Assert.NotEqual(File.ReadAllBytes(averaged), File.ReadAllBytes(raw));
        // The grid training wrote at the end is the averaged model's: 64 samples from the recipe's seed, as sample draws them.
        string averaged64 = Path.Combine(tmp.Path, "averaged64.png"), raw64 = Path.Combine(tmp.Path, "raw64.png");
        Assert.Equal(0, CliRunner.Kindling("sample", "--checkpoint", checkpoint, "--n", "64", "--out", averaged64).Code);
        Assert.Equal(0, CliRunner.Kindling("sample", "--checkpoint", checkpoint, "--n", "64", "--raw-weights", "--out", raw64).Code);
        var trained = File.ReadAllBytes(Path.Combine(run, "plots", "samples.png"));
        Assert.Equal(File.ReadAllBytes(averaged64), trained);
        Assert.NotEqual(File.ReadAllBytes(raw64), trained);
    }

    [Fact]
    public void SampleRefusesAClassifierCheckpoint()
    {
        using var tmp = new TempDir();
        var recipe = TinyPictures.WriteQuietRun(tmp.Path, epochs: 1);
        var run = Path.Combine(tmp.Path, "run");
        Assert.Equal(0, CliRunner.Kindling("train", "--config", recipe, "--out", run, "--no-doctor").Code);
        var (code, _, error) = CliRunner.Kindling("sample", "--checkpoint", Path.Combine(run, "checkpoints", "last.ckpt"), "--out", Path.Combine(tmp.Path, "x.png"));
        Assert.NotEqual(0, code);
        Assert.Contains("holds a classification model, which does not generate images", error);
    }

    [Theory]
    [InlineData(6, "vae", "vae:\n  arch: conv", "[0]", "[1]", "vae.arch: conv halves the image side twice, so it needs a side divisible by 4")]
    [InlineData(6, "gan", "gan:\n  arch: dcgan", "[0.5]", "[0.5]", "gan.arch: dcgan's generator upsamples a square map twice")]
    [InlineData(6, "gan", "gan:\n  arch: wgan_gp", "[0.5]", "[0.5]", "gan.arch: wgan_gp's generator upsamples")]
    [InlineData(8, "vae", "vae:\n  arch: mlp", "auto", "auto", "the pixels must stay in [0, 1]")]
    [InlineData(8, "vae", "vae:\n  arch: mlp", "[0.5]", "[0.5]", "set data.mean: [0] and data.std: [1] for task vae")]
    [InlineData(8, "gan", "gan:\n  arch: mlp", "auto", "auto", "set data.mean: [0.5] and data.std: [0.5] (one value per channel) for task gan")]
    public void AGenerativeRecipeOnDataItsModelCannotTakeIsRefusedClearly(int side, string task, string section, string mean, string std, string expected)
    {
        using var tmp = new TempDir();
        var recipe = Kindling.Config.Recipe.Parse(Recipe($"imagefolder:{Pictures(tmp, side)}", task, section, mean, std));
        var e = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(recipe));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TheSeedsMlpModelsFollowTheDataShapeAndAConditionalGanNeedsLabels()
    {
        using var tmp = new TempDir();
        // The seed's 784-input MLP becomes 3 * 8 * 8 = 192 inputs on 8x8 colour pictures.
        using (var run = RecipeBuilder.Build(Kindling.Config.Recipe.Parse(Recipe($"imagefolder:{Pictures(tmp)}", "vae", "vae:\n  arch: mlp"))))
        {
            var vae = Assert.IsType<VaeTask>(run.Task);
            Assert.Equal(192, vae.Vae.named_parameters().First(p => p.name == "fc1.weight").parameter.shape[1]);
        }
        var unlabelled = Path.Combine(tmp.Path, "flat");
        Directory.CreateDirectory(unlabelled);
        foreach (var file in Directory.GetFiles(Path.Combine(tmp.Path, "pictures8"), "*.png", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(unlabelled, Path.GetFileName(Path.GetDirectoryName(file)) + Path.GetFileName(file)));
        var e = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(Kindling.Config.Recipe.Parse(Recipe($"images:{unlabelled}", "gan", "gan:\n  arch: conditional", "[0.5]", "[0.5]"))));
        Assert.Contains("gan.arch: conditional learns the images of each class", e.Message);
        using (var run = RecipeBuilder.Build(Kindling.Config.Recipe.Parse(Recipe($"images:{unlabelled}", "gan", "gan:\n  arch: mlp", "[0.5]", "[0.5]"))))
            Assert.Equal(0, Assert.IsType<GanTask>(run.Task).ConditionalClasses);
    }

    [Fact]
    public void RecipeKeysOfTheGenerativeSectionsAreChecked()
    {
        var e = Assert.Throws<RecipeException>(() => Kindling.Config.Recipe.Parse("task: vae\nvae:\n  arch: transformer\n  beta: -1\n  latent: 0\n"));
        Assert.Contains("vae.arch: 'transformer' is not a known VAE architecture", e.Message);
        Assert.Contains("vae.beta: -1 is out of range", e.Message);
        Assert.Contains("vae.latent: 0 is out of range", e.Message);
        e = Assert.Throws<RecipeException>(() => Kindling.Config.Recipe.Parse("task: gan\ngan:\n  arch: wgan\n  n_critic: 0\n  label_smoothing: 0\n"));
        Assert.Contains("gan.arch: 'wgan' is not a known GAN architecture", e.Message);
        Assert.Contains("gan.n_critic: 0 is out of range", e.Message);
        Assert.Contains("gan.label_smoothing: 0 is out of range", e.Message);
        e = Assert.Throws<RecipeException>(() => Kindling.Config.Recipe.Parse("gan:\n  arch: mlp\n"));
        Assert.Contains("gan: belongs to the gan task, but this recipe's task is classification", e.Message);
        e = Assert.Throws<RecipeException>(() => Kindling.Config.Recipe.Parse("task: vae\ntraining:\n  monitor: val_accuracy\n"));
        Assert.Contains("'val_accuracy' is not a metric of the vae task", e.Message);
        Assert.Equal(5, Kindling.Config.Recipe.Parse("task: gan\ngan:\n  arch: wgan_gp\n").Gan.ResolvedNCritic);
        Assert.Equal(1, Kindling.Config.Recipe.Parse("task: gan\ngan:\n  arch: dcgan\n").Gan.ResolvedNCritic);
    }

    [Theory]
    [InlineData("fashion-mnist-vae.yaml")]
    [InlineData("fashion-mnist-conv-vae.yaml")]
    [InlineData("fashion-mnist-gan.yaml")]
    [InlineData("fashion-mnist-dcgan.yaml")]
    [InlineData("fashion-mnist-cgan.yaml")]
    [InlineData("fashion-mnist-wgan-gp.yaml")]
    public void TheShippedGenerativeRecipesAreValid(string file)
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Kindling.slnx"))) dir = Path.GetDirectoryName(dir)!;
        var recipe = Kindling.Config.Recipe.Load(Path.Combine(dir, "configs", file));
        Assert.Contains(recipe.Task, new[] { "vae", "gan" });
    }
}
