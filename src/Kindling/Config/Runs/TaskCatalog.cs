using System.Collections.Concurrent;
using Kindling.Config.Sections;
using Kindling.Config.Yaml;
using Kindling.Data.Datasets;
using Kindling.Losses;
using Kindling.Runtime;
using Kindling.SelfSupervised.Mae;
using Kindling.SelfSupervised.Multimodal;
using Kindling.Training;
using Kindling.Training.Tasks;

namespace Kindling.Config.Runs;

/// <summary>
/// The tasks a recipe can name (<c>task: classification</c>), registered by name like models: what each measures (so a
/// recipe's monitor, early stopping and sweep metric are checked before anything runs), which recipe sections belong to
/// it alone, and how its task is built from a run's pieces.
/// </summary>
public static class TaskCatalog
{
    /// <summary>One registered task.</summary>
    /// <param name="Name">What <c>task:</c> says.</param>
    /// <param name="Description">One line for help and errors.</param>
    /// <param name="Sections">Recipe sections that only this task reads (a recipe of another task must leave them at their defaults).</param>
    /// <param name="Metrics">The task's metrics by full name, with their directions.</param>
    /// <param name="DefaultMonitor">The metric that picks the best checkpoint unless training.monitor says otherwise.</param>
    /// <param name="Create">Builds the task from a run's pieces.</param>
    public sealed record Entry(string Name, string Description, IReadOnlyList<string> Sections, IReadOnlyList<MetricSpec> Metrics,
        MetricSpec DefaultMonitor, Func<TaskParts, TrainingTask> Create)
    {
        /// <summary>What the task takes from the model section: a classifier (the default), a headless encoder, or nothing (it builds its own networks).</summary>
        public TaskModel Model { get; init; } = TaskModel.Classifier;
    }

    // Concurrent: a program may register its tasks while recipes are being checked on other threads.
    static readonly ConcurrentDictionary<string, Entry> Entries = new(StringComparer.Ordinal)
    {
        ["classification"] = new("classification", "an image classifier: cross-entropy with label smoothing, mixup/CutMix, distillation from a teacher",
            ["loss", "batch_mix", "distillation"], ClassificationTask.MetricSpecs, MetricSpec.Max("val_accuracy"), ClassificationParts),
        ["mae"] = new("mae", "a masked autoencoder (He et al. 2021): a ViT encoder on the visible patches, a light decoder, the loss on the masked patches; no labels",
            ["mae"], MaeTask.MetricSpecs, MetricSpec.Min("val_loss"), MaeParts) { Model = TaskModel.Own },
        ["multimodal"] = new("multimodal", "images and short descriptions made from their classes, aligned by a margin-based contrastive loss; retrieval recall@1/@5 both ways against chance",
            ["multimodal"], MultimodalTask.MetricSpecs, MetricSpec.Max("val_i2t_r1"), MultimodalParts) { Model = TaskModel.Own },
        ["vae"] = GenerativeTasks.Vae,
        ["gan"] = GenerativeTasks.Gan,
        ["pixelcnn"] = new("pixelcnn", "PixelCNN: masked convolutions, a softmax over 256 levels per pixel, bits/dim, pixel-by-pixel sampling",
            ["pixelcnn"], Generative.PixelCnn.PixelCnnTask.MetricSpecs, MetricSpec.Min("val_bits_per_dim"), GenerativeTaskParts.PixelCnn) { Model = TaskModel.Own },
        ["diffusion"] = new("diffusion", "DDPM: noise-prediction U-Net on a cosine schedule, DDIM and ancestral sampling",
            ["diffusion"], Generative.Diffusion.DiffusionTask.MetricSpecs, MetricSpec.Min("val_loss"), GenerativeTaskParts.Diffusion) { Model = TaskModel.Own },
        ["simclr"] = new("simclr", "SimCLR pretraining: two views, a headless registry encoder, projection head, NT-Xent (Kindling.SelfSupervised)",
            ["simclr", "knn"], SelfSupervised.SimClrTask.MetricSpecs, MetricSpec.Max("val_knn_accuracy"), SelfSupervisedParts.SimClr) { Model = TaskModel.Encoder },
        ["moco"] = new("moco", "MoCo v2 pretraining: momentum key encoder, queue of negatives, InfoNCE, shuffled BatchNorm (Kindling.SelfSupervised)",
            ["moco", "knn"], SelfSupervised.MocoTask.MetricSpecs, MetricSpec.Max("val_knn_accuracy"), SelfSupervisedParts.Moco) { Model = TaskModel.Encoder },
    };

    /// <summary>The registered names.</summary>
    public static IReadOnlyList<string> Names => Entries.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Adds (or replaces) a task, so recipes can name it.</summary>
    public static void Register(Entry entry) => Entries[entry.Name] = entry;

    /// <summary>The task named <paramref name="name"/>, or null.</summary>
    public static Entry? Find(string name) => Entries.GetValueOrDefault(name);

    /// <summary>The error for a name that is not registered, with the closest one.</summary>
    public static string Unknown(string name) =>
        $"'{name}' is not a known task{(Suggest.Closest(name, Entries.Keys) is { } close ? $" (did you mean '{close}'?)" : "")}; known: {string.Join(", ", Names)}.";

    /// <summary>Every metric a run of <paramref name="entry"/> can report: its own, their ema_val_ forms and the engine's (learning_rate, ...).</summary>
    public static IReadOnlyList<string> MetricNames(Entry entry) =>
        [.. entry.Metrics.Select(m => m.Name), .. entry.Metrics.Select(m => MetricName.Split(m.Name)).Where(n => n.Split == "val").Select(n => MetricName.EmaValidation + n.Base), .. EpochMetrics.EngineNames];

    /// <summary>Checks <paramref name="metric"/> (at recipe key <paramref name="path"/>) against the task's metrics.</summary>
    internal static void CheckMetric(RecipeErrors e, Entry entry, string path, string? metric)
    {
        if (metric is null) return;
        var names = MetricNames(entry);
        if (names.Contains(metric)) return;
        var close = Suggest.Closest(metric, names);
        e.Add(path, $"'{metric}' is not a metric of the {entry.Name} task{(close is null ? "" : $" (did you mean '{close}'?)")}; expected one of {string.Join(", ", names)}.");
    }

    /// <summary>loss.class_weight as numbers: the list, or balanced weights from the training split's class counts.</summary>
    internal static IReadOnlyList<double>? ClassWeightsOf(ClassWeightValues? weights, IImageDataset? train) => weights switch
    {
        null => null,
        { IsBalanced: false } => weights.Values,
        _ when train is null => throw new InvalidOperationException("loss.class_weight: balanced needs the training split; build the task with TaskParts.Train."),
        _ => ClassWeights.Balanced(train.CountPerClass()),
    };

    static TrainingTask MaeParts(TaskParts p)
    {
        var shape = p.Shape;
        if (shape.Height % p.Recipe.Mae.PatchSize != 0)
            throw new RecipeException("recipe", [$"mae.patch_size: {p.Recipe.Mae.PatchSize} does not divide the {shape.Height}x{shape.Width} images of {p.Recipe.Data.Spec}; choose a patch size that divides {shape.Height}."]);
        Seeding.SeedTorch(p.Recipe.Training.Seed);
        try
        {
            return new MaeTask(new MaskedAutoencoder(p.Recipe.Mae.ToOptions(shape.Channels, shape.Height)));
        }
        catch (ArgumentException e)
        {
            throw new RecipeException("recipe", [$"mae: {e.Message}"]);
        }
    }

    static TrainingTask MultimodalParts(TaskParts p)
    {
        var o = p.Recipe.Multimodal;
        var captions = new ClassCaptions(p.Classes);
        Seeding.SeedTorch(p.Recipe.Training.Seed);
        var image = new ImageEncoder(p.Shape.Channels, o.ImageWidth, o.EmbedDim);
        var text = new TextEncoder(captions.Vocabulary.Count, captions.MaxLength, o.TextDim, o.TextHeads, o.TextDepth, o.EmbedDim);
        return new MultimodalTask(image, text, captions, new MarginContrastiveLoss(o.Margin), p.Recipe.Training.Seed);
    }

    static TrainingTask ClassificationParts(TaskParts p)
    {
        var options = ClassificationOptions.From(p.Options) with { ClassWeights = ClassWeightsOf(p.Recipe.Loss.ClassWeight, p.Train) };
        var model = p.RequireModel();
        return p.Teacher is null ? new ClassificationTask(model, p.Classes.Count, options) : new DistillationTask(model, p.Classes.Count, p.Teacher, options);
    }
}
