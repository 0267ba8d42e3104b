using System.Buffers.Binary;
using System.Text.Json;
using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Generative;
using Kindling.Generative.Diffusion;
using Kindling.Generative.PixelCnn;
using Kindling.Reporting;
using Kindling.Tests.Cli;
using Kindling.Tests.Data.Datasets;

namespace Kindling.Tests.Config;

/// <summary>
/// The pixelcnn and diffusion tasks from recipes: their sections and errors, training end to end, coming back from a checkpoint
/// as image generators, and `kindling fid` on them (tiny MNIST-format data written here).
/// </summary>
[Collection("Console")]
public class GenerativeRecipeTests
{
    // A tiny MNIST-format folder: 28x28 images, class c a bright square at a place of its own.
    static string WriteMnist(string root, int train, int test)
    {
        Directory.CreateDirectory(root);
        var rng = new Random(3);
        foreach (var (prefix, count) in new[] { ("train", train), ("t10k", test) })
        {
            var images = new byte[16 + count * 784];
            var labels = new byte[8 + count];
            BinaryPrimitives.WriteInt32BigEndian(images, 0x803);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 28);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 28);
            BinaryPrimitives.WriteInt32BigEndian(labels, 0x801);
            BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
            for (int i = 0; i < count; i++)
            {
                int c = i % 10;
                labels[8 + i] = (byte)c;
                for (int y = 0; y < 28; y++)
                    for (int x = 0; x < 28; x++)
                    {
                        bool square = y / 7 == c / 4 && x / 7 == c % 4;
                        images[16 + i * 784 + y * 28 + x] = (byte)(rng.Next(40) + (square ? 200 : 0));
                    }
            }
            File.WriteAllBytes(Path.Combine(root, $"{prefix}-images-idx3-ubyte"), images);
            File.WriteAllBytes(Path.Combine(root, $"{prefix}-labels-idx1-ubyte"), labels);
        }
        return root;
    }

    static string Recipe(string spec, string task, string section) => $"""
        task: {task}
        data:
          spec: {spec}
          validation:
            holdout: 0
          batch_size: 10
          num_workers: 0
          mean: [0.5]
          std: [0.5]
        transforms:
          train: []
          eval: []
        optimizer:
          name: adam
          lr: 0.003
        training:
          epochs: 1
          device: cpu
          threads: 1
        logging:
          tensorboard: false
          plots: false
        {section}
        """;

    const string TinyDiffusion = "diffusion:\n  timesteps: 20\n  channels: 4\n  channel_multipliers: [1, 2]\n  time_dim: 8\n  sampling_steps: 3";
    const string TinyPixelCnn = "pixelcnn:\n  layers: 2\n  channels: 4\n  kernel_size: 3\n  levels: 16";

    static string Train(string yaml, string folder)
    {
        using var training = RecipeTraining.Open(Kindling.Config.Recipe.Parse(yaml), RunFolder.Create(folder));
        training.Finish(training.Fit());
        return Path.Combine(folder, "checkpoints", "best.ckpt");
    }

    [Fact]
    public void RecipeErrorsNameTheKeyAndWhatIsExpected()
    {
        var e = Assert.Throws<RecipeException>(() => Kindling.Config.Recipe.Parse("task: diffusion\ndiffusion:\n  time_embedding: concatt\n  sampling_steps: 2000\n"));
        Assert.Contains("diffusion.time_embedding: 'concatt' is not a known time embedding (did you mean 'concat'?)", e.Message);
        Assert.Contains("diffusion.sampling_steps", e.Message);
        Assert.Contains("1 .. timesteps (1000)", e.Message);
        e = Assert.Throws<RecipeException>(() => Kindling.Config.Recipe.Parse("task: pixelcnn\npixelcnn:\n  kernel_size: 4\n  levels: 300\n"));
        Assert.Contains("pixelcnn.kernel_size", e.Message);
        Assert.Contains("pixelcnn.levels", e.Message);
        // A section of another task is refused; a recipe that leaves it out (or at its defaults, as a stored recipe writes it) is not.
        e = Assert.Throws<RecipeException>(() => Kindling.Config.Recipe.Parse("pixelcnn:\n  layers: 3\n"));
        Assert.Contains("pixelcnn: belongs to the pixelcnn task, but this recipe's task is classification", e.Message);
        var roundTrip = Kindling.Config.Recipe.Parse(Kindling.Config.Recipe.Parse("task: pixelcnn\n").ToYaml());
        Assert.Equal("pixelcnn", roundTrip.Task);
        Assert.Equal(new Kindling.Config.Sections.DiffusionRecipe(), roundTrip.Diffusion);
    }

    [Fact]
    public void ADiffusionRecipeOnImagesItsUNetCannotHalveIsRefusedClearly()
    {
        using var tmp = new TempDir();
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 4, side: 6);
        var yaml = Recipe($"imagefolder:{pictures}", "diffusion", TinyDiffusion).Replace("holdout: 0", "holdout: 3").Replace("[0.5]", "auto")
            .Replace("channel_multipliers: [1, 2]", "channel_multipliers: [1, 2, 2]");
        var e = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(Kindling.Config.Recipe.Parse(yaml)));
        Assert.Contains("diffusion.channel_multipliers", e.Message);
        Assert.Contains("multiple of 4, but the data's images are 3x6x6", e.Message);
    }

    [Fact]
    public void BothTasksTrainFromRecipesComeBackAsGeneratorsAndFidMeasuresThem()
    {
        using var tmp = new TempDir();
        var mnist = WriteMnist(Path.Combine(tmp.Path, "mnist"), train: 40, test: 20);
        var spec = $"mnist:{mnist}";

        var diffusion = Train(Recipe(spec, "diffusion", TinyDiffusion), Path.Combine(tmp.Path, "ddpm"));
        var pixelcnn = Train(Recipe(spec, "pixelcnn", TinyPixelCnn), Path.Combine(tmp.Path, "pixelcnn"));
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(tmp.Path, "pixelcnn", "summary.json"))).RootElement.ToString();
        Assert.Contains("bits_per_dim", summary);
        foreach (var (checkpoint, type) in new[] { (diffusion, typeof(DiffusionTask)), (pixelcnn, typeof(PixelCnnTask)) })
        {
            var (_, task) = CheckpointTask.Load(checkpoint);
            using (task)
            {
                Assert.IsType(type, task);
                using var images = ((IImageGenerator)task).Generate(2, new GenerationOptions { Seed = 1 });
                Assert.Equal([2L, 1, 28, 28], images.shape);
            }
        }

        // A classifier on the same data is the feature network.
        var classifierYaml = Recipe(spec, "classification", "model:\n  name: fastnet\n  width_multiplier: 0.25").Replace("adam", "adamw");
        var classifier = Train(classifierYaml, Path.Combine(tmp.Path, "classifier"));
        var (code, output, error) = CliRunner.Kindling("fid", "--checkpoint", diffusion, "--classifier", classifier, "-n", "12", "--steps", "2", "--json");
        Assert.True(code == 0, error);
        var fid = JsonDocument.Parse(output).RootElement;
        Assert.Contains(classifier, fid.GetProperty("feature_network").GetString());
        Assert.True(fid.GetProperty("fid").GetDouble() > 0);
        Assert.True(fid.GetProperty("real_vs_real_floor").GetDouble() >= 0);
        Assert.Equal(12, fid.GetProperty("class_counts").EnumerateArray().Sum(c => c.GetProperty("count").GetInt32()));
        Assert.Equal(20, fid.GetProperty("real_images").GetInt32());

        // Not a generator; a classifier for another image shape.
        (code, _, error) = CliRunner.Kindling("fid", "--checkpoint", classifier, "--classifier", classifier, "-n", "4");
        Assert.NotEqual(0, code);
        Assert.Contains("does not generate images", error);
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 4);
        var otherShape = Train(TinyPictures.Recipe(pictures, epochs: 1, holdout: 3) + "\n  threads: 1\nlogging:\n  tensorboard: false\n  plots: false\n", Path.Combine(tmp.Path, "rgb"));
        (code, _, error) = CliRunner.Kindling("fid", "--checkpoint", pixelcnn, "--classifier", otherShape, "-n", "4");
        Assert.NotEqual(0, code);
        Assert.Contains("are 1x28x28 but the FID feature network", error);
        Assert.Contains("takes 3x8x8", error);
    }

    [FashionMnistFact]
    public void TheShippedGenerativeRecipesBuildOnFashionMnist()
    {
        var configs = Path.Combine(TestData.RepoRoot()!, "configs");
        using (var run = RecipeBuilder.Build(Kindling.Config.Recipe.Load(Path.Combine(configs, "fashion-mnist-pixelcnn.yaml"))))
        {
            var task = Assert.IsType<PixelCnnTask>(run.Task);
            Assert.Equal((5, 32, 256), (task.PixelCnn.Options.Layers, task.PixelCnn.Options.Channels, task.PixelCnn.Options.Levels));
            Assert.Null(run.Model);
        }
        using (var run = RecipeBuilder.Build(Kindling.Config.Recipe.Load(Path.Combine(configs, "fashion-mnist-ddpm.yaml"))))
        {
            var task = Assert.IsType<DiffusionTask>(run.Task);
            Assert.Equal((1000, "ddim", 100), (task.Schedule.Timesteps, task.Sampling.Sampler, task.Sampling.Steps));
            // The same U-Net as bench/generative/models.py's DiffusionUNet(1, 32, (1, 2, 2), 64).
            Assert.Equal(414_817, task.UNet.parameters().Sum(p => p.numel()));
        }
    }
}
