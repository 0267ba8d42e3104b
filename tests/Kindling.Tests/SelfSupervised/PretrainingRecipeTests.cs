using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Data.Transforms;
using Kindling.Reporting;
using Kindling.SelfSupervised;
using Kindling.Tests.Cli;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.SelfSupervised;

/// <summary>
/// SimCLR and MoCo from recipes end to end on tiny pictures: two views, the kNN monitor in the metrics, checkpoints that come
/// back as pretrained encoders, fine-tuning from them (model.pretrained), the probe beside a random encoder, and the errors.
/// </summary>
[Collection("Console")]
public class PretrainingRecipeTests
{
    static PretrainingRecipeTests()
    {
        TaskCatalog.Register(new TaskCatalog.Entry("test-ssl-autoencoder", "a task with no encoder, for the probe's error", [],
            [MetricSpec.Min("train_loss"), MetricSpec.Min("val_loss")], MetricSpec.Min("val_loss"),
            p => new AutoencoderTask(nn.Sequential(nn.Flatten(), nn.Linear(192, 4), nn.Linear(4, 192), nn.Unflatten(1, [3, 8, 8]))))
        { Model = TaskModel.Own });
    }

    const string Augment = """
          train:
            - random_resized_crop: {size: 8, scale: [0.5, 1.0]}
            - random_horizontal_flip: {p: 0.5}
            - color_jitter: {brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8}
            - random_grayscale: {p: 0.2}
          views: 2
        """;

    static string TinyYaml(TempDir tmp, string task, int epochs = 2, string extra = "")
    {
        var pictures = Path.Combine(tmp.Path, "pictures");
        if (!Directory.Exists(pictures)) TinyPictures.Write(pictures, 8);
        var yaml = TinyPictures.Recipe(pictures, epochs, holdout: 6).Replace("  train: []\n", Augment.Replace("\r", "") + "\n");
        return yaml + $"\n  threads: 1\nlogging:\n  tensorboard: false\n  plots: false\ntask: {task}\n{extra}";
    }

    static (string Checkpoint, Kindling.Training.FitResult Result) Train(TempDir tmp, string yaml, string name, params string[] overrides) =>
        Train(tmp, yaml, name, [], overrides);

    static (string Checkpoint, Kindling.Training.FitResult Result) Train(TempDir tmp, string yaml, string name,
        Kindling.Training.Callbacks.ITrainerCallback[] callbacks, params string[] overrides)
    {
        var folder = RunFolder.Create(Path.Combine(tmp.Path, name));
        using var training = RecipeTraining.Open(Recipe.Parse(yaml, overrides), folder);
        var result = training.Fit(callbacks);
        training.Finish(result);
        return (Path.Combine(folder.CheckpointsDir, "last.ckpt"), result);
    }

    [Fact]
    public void SimClrTrainsOnTwoViewsWithTheKnnMonitorAndComesBackAsAPretrainedEncoder()
    {
        using var tmp = new TempDir();
        var yaml = TinyYaml(tmp, "simclr", extra: "simclr:\n  projection_dim: 8\n  temperature: 0.5\nknn:\n  every: 2\n  k: 5\n");
        using (var run = RecipeBuilder.Build(Recipe.Parse(yaml)))
        {
            var views = Assert.IsType<MultiView>(run.TrainTransform);
            Assert.Equal(2, views.ViewCount);
            using var batch = run.TrainLoader.First();
            Assert.Equal(2, batch.Views.Count);
            Assert.False(batch.Views[0].equal(batch.Views[1]).all().item<bool>(), "the two views of a batch differ");
            Assert.Equal(0, run.Recipe.Model.NumClasses);
        }
        var (checkpoint, result) = Train(tmp, yaml, "simclr");
        // kNN every 2 epochs (and at the last): measured at epoch 2 only of 2; the loss every epoch.
        Assert.All(result.History, e => Assert.True(e.Get("train_loss") is > 0));
        Assert.Null(result.History[0].Get("val_knn_accuracy"));
        Assert.InRange(result.History[1].Get("val_knn_accuracy")!.Value, 0, 1);
        var (recipe, task) = CheckpointTask.Load(checkpoint, "simclr");
        using (task)
        {
            var encoder = Assert.IsAssignableFrom<IPretrainedEncoder>(task);
            Assert.Equal(Kindling.Models.ModelRegistry.NumFeatures("fastnet", recipe.Model.ToOptions(0, 3, 8)), encoder.FeatureCount);
            using var features = encoder.Encoder.forward(zeros(2, 3, 8, 8));
            Assert.Equal(new long[] { 2, encoder.FeatureCount }, features.shape);
        }
    }

    [Fact]
    public void AClassifierFineTunesFromAPretrainedEncoderAndAMismatchOrANonEncoderIsRefused()
    {
        using var tmp = new TempDir();
        var (checkpoint, _) = Train(tmp, TinyYaml(tmp, "simclr", epochs: 1, extra: "knn:\n  every: 0\n"), "simclr");
        var classifierYaml = TinyYaml(tmp, "classification", epochs: 1).Replace("  views: 2\n", "");
        using (var run = RecipeBuilder.Build(Recipe.Parse(classifierYaml, [$"model.pretrained={checkpoint}"])))
        {
            var (_, task) = CheckpointTask.Load(checkpoint);
            using (task)
            {
                var encoder = ((IPretrainedEncoder)task).Encoder.state_dict();
                var classifier = run.Model!.state_dict();
                foreach (var (name, tensor) in encoder) Assert.True(tensor.equal(classifier[name]).all().item<bool>(), $"{name} starts from the encoder");
                Assert.NotEmpty(classifier.Keys.Except(encoder.Keys));
            }
            Assert.True(Path.IsPathRooted(run.Recipe.Model.Pretrained));
        }
        var wider = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(Recipe.Parse(classifierYaml, [$"model.pretrained={checkpoint}", "model.width_multiplier=0.5"])));
        Assert.Contains("model.pretrained: the encoder of", wider.Message);
        Assert.Contains("differ in shape", wider.Message);
        var (classifierCheckpoint, _) = Train(tmp, classifierYaml, "classifier");
        var notEncoder = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(Recipe.Parse(classifierYaml, [$"model.pretrained={classifierCheckpoint}"])));
        Assert.Contains("holds a classification model, which has no pretrained encoder", notEncoder.Message);
        var missing = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(Recipe.Parse(classifierYaml, ["model.pretrained=nope.ckpt"])));
        Assert.Contains("model.pretrained: 'nope.ckpt' does not exist", missing.Message);

        // The probe: the pretrained encoder and a random one, side by side; a classifier through its features; no encoder refused.
        var report = EncoderProbe.Run(new EncoderProbe.Options(checkpoint) { K = 5, Linear = new LinearProbeOptions { Epochs = 3, Threads = 1 } });
        Assert.Equal("simclr", report.Task);
        Assert.Equal((18L, 6L), (report.TrainCount, report.EvalCount));
        foreach (var score in new[] { report.Pretrained.Knn, report.Pretrained.Linear, report.Random.Knn, report.Random.Linear })
            Assert.InRange(score!.Value, 0, 1);
        var supervised = EncoderProbe.Run(new EncoderProbe.Options(classifierCheckpoint, Method: "knn") { K = 5 });
        Assert.Null(supervised.Pretrained.Linear);
        Assert.NotNull(supervised.Random.Knn);
        var (autoencoder, _) = Train(tmp, TinyYaml(tmp, "test-ssl-autoencoder", epochs: 1).Replace("  views: 2\n", ""), "autoencoder");
        var none = Assert.Throws<InvalidDataException>(() => EncoderProbe.Run(new EncoderProbe.Options(autoencoder)));
        Assert.Contains("holds a test-ssl-autoencoder model, which has no encoder to probe", none.Message);
    }

    [Theory]
    [InlineData("simclr", "simclr:\n  projection_dim: 8\n")]
    [InlineData("moco", "moco:\n  queue: 16\n  projection_dim: 8\n  shuffle_bn_groups: 2\n")]
    public void PretrainingWithTheKnnMonitorAndALoaderThreadCreatesNoTensorOutsideAScope(string task, string section)
    {
        using var tmp = new TempDir();
        var yaml = TinyYaml(tmp, task, extra: section + "knn:\n  every: 1\n  k: 5\n");
        var counter = new Kindling.Tests.Training.OutsideScopeCounter();
        var (_, result) = Train(tmp, yaml, task, [counter], "data.drop_last=true", "data.num_workers=1");
        Assert.Equal(2, result.History.Count);
        Assert.NotNull(result.History[^1].Get("val_knn_accuracy"));
        Assert.Equal(0, counter.Created);
    }

    [Fact]
    public void MocoRefusesABatchThatDoesNotSplitIntoItsGroupsOrFitItsQueue()
    {
        using var tmp = new TempDir();
        var yaml = TinyYaml(tmp, "moco", epochs: 1, extra: "moco:\n  queue: 16\n  projection_dim: 8\n  shuffle_bn_groups: 3\nknn:\n  every: 0\n");
        // Refused when the run is built, before any step: recipe errors naming the keys.
        var groups = Assert.Throws<RecipeException>(() => Train(tmp, yaml, "groups", "data.drop_last=true"));
        Assert.Contains("moco.shuffle_bn_groups: data.batch_size 8 does not split into 3 equal groups", groups.Message);
        var queue = Assert.Throws<RecipeException>(() => Train(tmp, yaml, "queue", "data.drop_last=true", "moco.shuffle_bn_groups=2", "moco.queue=4"));
        Assert.Contains("moco.queue: 4 keys do not hold one step's 8 keys (data.batch_size 8)", queue.Message);
        var symmetric = Assert.Throws<RecipeException>(() => Train(tmp, yaml, "symmetric", "data.drop_last=true", "moco.shuffle_bn_groups=2", "moco.symmetric=true", "moco.queue=12"));
        Assert.Contains("moco.queue: 12 keys do not hold one step's 16 keys (data.batch_size 8, both views with symmetric)", symmetric.Message);
        var last = Assert.Throws<RecipeException>(() => Train(tmp, yaml, "last", "moco.shuffle_bn_groups=4"));
        Assert.Contains("data.drop_last: the last batch of each epoch holds 2 images", last.Message);
        var recipe = Assert.Throws<RecipeException>(() => Recipe.Parse(yaml, ["moco.shuffle_bn_groups=0", "moco.momentum=2"]));
        Assert.Contains("moco.shuffle_bn_groups", recipe.Message);
        Assert.Contains("moco.momentum", recipe.Message);
        var views = Assert.Throws<RecipeException>(() => Train(tmp, yaml.Replace("  views: 2\n", ""), "views", "data.drop_last=true", "moco.shuffle_bn_groups=2"));
        Assert.Contains("transforms.views: moco learns from two augmented views", views.Message);
        var other = Assert.Throws<RecipeException>(() => Recipe.Parse(yaml.Replace("task: moco", "task: simclr")));
        Assert.Contains("moco: belongs to the moco task", other.Message);
    }
}
