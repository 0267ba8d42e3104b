using Kindling.Compression.Channels;
using Kindling.Config.Sections;
using Kindling.Training;
using Kindling.Training.Tasks;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Distributed;
using Kindling.Losses;
using Kindling.Models;
using Kindling.Runtime;
using TorchSharp;

namespace Kindling.Config.Runs;

/// <summary>
/// Turns a validated recipe into a run's objects: <see cref="Build"/> for training (data, splits,
/// loaders, transforms, model, trainer options), <see cref="BuildEval(Recipe)"/> for eval and predict
/// from a resolved recipe alone (as stored in a checkpoint), and the pieces on their own.
/// </summary>
public static class RecipeBuilder
{
    /// <summary>Opens the data, splits it, and builds loaders, transforms, model and trainer options.</summary>
    /// <param name="recipe">A recipe from <see cref="Recipe.Load"/> (validated again here).</param>
    /// <param name="open">How to open the data (download, log); null: defaults.</param>
    /// <param name="world">The data-parallel job this process is a rank of (<c>mpirun</c>); null or a world of one: this process alone.
    /// With several ranks the recipe's batch size is the global one, the training data are sharded and the trainer all-reduces gradients.</param>
    /// <exception cref="RecipeException">The recipe is invalid, or its model has no classifier (num_classes 0).</exception>
    public static RecipeRun Build(Recipe recipe, DataOpenOptions? open = null, ICommunicator? world = null)
    {
        world ??= new LocalCommunicator();
        recipe.Validate();
        DataParallelSetup.Check(recipe, world);
        // Validate() has checked the name: the catalog has it.
        var entry = TaskCatalog.Find(recipe.Task)!;
        if (entry.Model == TaskModel.Classifier) RequireClassifier(recipe);
        // A missing teacher is found before the data is opened, not after.
        if (recipe.Distillation.Teacher is not null) TeacherPath(recipe.Distillation);
        RequireNoAuto(recipe);
        var data = DataSpec.Parse(recipe.Data.Spec).Open(recipe.Data.WithResize(open));
        var (train, validation, test) = Split(recipe, data);
        var normalization = Normalization(recipe, train);
        var resolved = Resolve(recipe, data, normalization);
        // Ranks that resolved different recipes (other files, other data) would train different models: stop before anything trains.
        world.RequireSame(resolved.ToYaml(), "the resolved recipe (config.yaml)");
        var model = entry.Model == TaskModel.Own ? null : CreateModel(resolved);
        if (model is not null && resolved.Model.Pretrained is not null)
        {
            try { resolved = PretrainedEncoder.Apply(resolved, model); }
            catch { model.Dispose(); throw; }
        }
        Distiller? teacher = null;
        TrainingTask? task = null;
        DataLoader? trainLoader = null, validationLoader = null, testLoader = null;
        try
        {
            (resolved, teacher) = Teacher(resolved, normalization);
            task = entry.Create(new TaskParts(resolved, model, data.Classes, teacher, resolved.ToTrainerOptions()) { Train = train });
            // channels_last: auto is decided from what trains: the registry model, or the task's own networks.
            (resolved, var channelsLastChoice) = ChannelsLast(resolved, task.Network);
            if (world.Size > 1 && resolved.Distributed.SyncBatchnorm) DataParallelSetup.SyncBatchNorms(task.Network, world);
            var trainerOptions = DataParallelSetup.WithReducer(resolved.ToTrainerOptions(), resolved.Distributed, world);
            var trainTransform = Transform(resolved.Transforms.Train, normalization);
            // SimCLR/MoCo: every image seen several times, each view with its own random draws.
            if (resolved.Transforms.Views > 1) trainTransform = new MultiView(trainTransform, resolved.Transforms.Views);
            var evalTransform = Transform(resolved.Transforms.Eval, normalization);
            (trainLoader, validationLoader, testLoader) = Loaders(resolved, train, validation, test, trainTransform, evalTransform, world, task.ReducesValidation);
            return new RecipeRun
            {
                Recipe = resolved, Data = data, TrainSet = train, ValidationSet = validation, TestSet = test,
                TrainLoader = trainLoader, ValidationLoader = validationLoader, TestLoader = testLoader,
                Model = model, Teacher = teacher, Task = task, TrainerOptions = trainerOptions,
                TrainTransform = trainTransform, EvalTransform = evalTransform, Normalization = normalization,
                ChannelsLastChoice = channelsLastChoice,
            };
        }
        catch
        {
            if (task is null) model?.Dispose();
            else task.Dispose();
            teacher?.Dispose();
            trainLoader?.Dispose();
            validationLoader?.Dispose();
            if (!ReferenceEquals(testLoader, validationLoader)) testLoader?.Dispose();
            throw;
        }
    }

    // With several ranks the training split is sharded, and the validation split too for a task that sums its counts across ranks.
    static (DataLoader Train, DataLoader? Validation, DataLoader? Test) Loaders(Recipe resolved, IImageDataset train, IImageDataset? validation, IImageDataset? test,
        ISampleTransform trainTransform, ISampleTransform evalTransform, ICommunicator world, bool shardValidation)
    {
        var d = resolved.Data;
        var loader = new DataLoaderOptions
        {
            BatchSize = d.BatchSize,
            NumWorkers = d.NumWorkers,
            PrefetchFactor = d.PrefetchFactor,
            PersistentWorkers = d.PersistentWorkers,
            PinMemory = d.PinMemory,
            ChannelsLast = d.ChannelsLast,
            Seed = resolved.Training.Seed,
            // Pinning only helps a copy to the GPU, so the loader needs to know the device only then.
            Device = d.PinMemory ? Devices.Resolve(resolved.Training.Device) : null,
        };
        var sampler = world.Size > 1 ? null : TrainSampler(d, train, resolved.Training.Seed, resolved.Training.Epochs);
        // A sampler (weighted, curriculum) orders the epoch itself: PyTorch refuses shuffle beside it.
        var trainLoader = world.Size > 1 ? DataParallelSetup.TrainLoader(train, loader, d, trainTransform, resolved.Training.Seed, world)
            : new DataLoader(train, loader with { Shuffle = d.Shuffle && sampler is null, DropLast = d.DropLast }, trainTransform, sampler);
        var evalOptions = loader with { BatchSize = d.EvalBatchSize ?? d.BatchSize };
        var testLoader = test is null ? null : new DataLoader(test, evalOptions, evalTransform);
        var validationLoader = validation is null ? null
            : world.Size > 1 && shardValidation ? DataParallelSetup.ValidationLoader(validation, evalOptions, evalTransform, world)
            : ReferenceEquals(test, validation) ? testLoader : new DataLoader(validation, evalOptions, evalTransform);
        return (trainLoader, validationLoader, testLoader);
    }

    // Validate() has checked the task's name and the monitor against its metrics.
    static TrainingRecipe WithMonitor(TrainingRecipe training, TaskCatalog.Entry task)
    {
        var monitor = MetricSpec.Resolve(task.Metrics, task.DefaultMonitor, training.Monitor, training.MonitorMode);
        return training with { Monitor = monitor.Name, MonitorMode = monitor.Mode };
    }

    /// <summary>
    /// <c>channels_last: auto</c> decided for <paramref name="model"/> on the recipe's device, written into the recipe, with
    /// the reason (null when the recipe said true or false itself).
    /// </summary>
    public static (Recipe Recipe, string? Reason) ChannelsLast(Recipe recipe, torch.nn.Module model)
    {
        if (!recipe.Data.ChannelsLastIsAuto) return (recipe, null);
        int convolutions = model.modules().Count(m => m is TorchSharp.Modules.Conv2d);
        bool cuda = Devices.Resolve(recipe.Training.Device).type == DeviceType.CUDA;
        // A task with its own networks (a VAE, a GAN) is not the model section's registry model.
        bool own = TaskCatalog.Find(recipe.Task)?.Model == TaskModel.Own;
        var what = own ? $"the {recipe.Task} task's networks have" : $"{recipe.Model.Name} has";
        var (on, why) = convolutions <= 1 ? (false, $"{what} {(convolutions == 0 ? "no convolution" : "one convolution (a patch embedding)")}: nothing to gain")
            : !cuda ? (true, "a convolutional model on the CPU: oneDNN's NHWC kernels are the fast path")
            : recipe.Training.Precision != "fp32" ? (true, "a convolutional model under mixed precision on CUDA, as PyTorch advises (untested here: no GPU)")
            : (false, "fp32 on CUDA: cuDNN gains little without tensor cores (untested here: no GPU)");
        return (recipe with { Data = recipe.Data with { ChannelsLast = on, ChannelsLastIsAuto = false } }, $"channels_last: auto -> {(on ? "on" : "off")} ({why})");
    }

    /// <summary>
    /// The recipe's distillation teacher, loaded from its checkpoint and checked against the resolved student
    /// (classes, input shape), with its path made absolute in the recipe so a resumed run finds it from anywhere.
    /// </summary>
    /// <exception cref="RecipeException">The teacher checkpoint does not exist.</exception>
    /// <exception cref="ArgumentException">The teacher's classes or input shape differ from the student's.</exception>
    public static (Recipe Recipe, Distiller? Teacher) Teacher(Recipe resolved, ChannelStatistics normalization)
    {
        var d = resolved.Distillation;
        if (d.Teacher is null) return (resolved, null);
        var path = TeacherPath(d);
        var (_, pipeline) = CheckpointModel.Load(path);
        var distiller = new Distiller(pipeline.Model, d.Alpha, d.Temperature)
        {
            Classes = pipeline.Classes,
            InputShape = pipeline.InputShape,
            Normalization = pipeline.Normalization,
        };
        try
        {
            var m = resolved.Model;
            distiller.Bind(resolved.Data.Classes!, new ImageShape(m.InChannels!.Value, m.InputSize!.Value, m.InputSize.Value), normalization, path);
        }
        catch
        {
            distiller.Dispose();
            throw;
        }
        return (resolved with { Distillation = d with { Teacher = path } }, distiller);
    }

    /// <summary>The eval side of a resolved recipe (as <see cref="RecipeRun.Recipe"/> or a checkpoint's stored recipe): model, eval transform, classes, input shape.</summary>
    /// <exception cref="ArgumentException">The recipe is not resolved (mean/std auto, or classes or the model's shape unknown).</exception>
    /// <exception cref="RecipeException">The recipe is invalid, or its model has no classifier (num_classes 0).</exception>
    public static EvalPipeline BuildEval(Recipe recipe)
    {
        recipe.Validate();
        RequireClassifier(recipe);
        var d = recipe.Data;
        var m = recipe.Model;
        var missing = new List<string>();
        if (d.Mean.IsAuto) missing.Add("data.mean");
        if (d.Std.IsAuto) missing.Add("data.std");
        if (d.Classes is null) missing.Add("data.classes");
        if (m.InChannels is null) missing.Add("model.in_channels");
        if (m.InputSize is null) missing.Add("model.input_size");
        if (missing.Count > 0)
            throw new ArgumentException($"the recipe is not resolved: {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} left to the data. " +
                "Use the recipe a run stored (its config.yaml or the checkpoint's), or RecipeBuilder.Build with the data.");
        var normalization = new ChannelStatistics(d.Mean.Values, d.Std.Values);
        var shape = new ImageShape(m.InChannels!.Value, m.InputSize!.Value, m.InputSize.Value);
        return new EvalPipeline(CreateModel(recipe), Transform(recipe.Transforms.Eval, normalization), d.Classes!, shape, normalization);
    }

    /// <summary>The training set (a stratified subset with data.train_subset), the validation set (a stratified holdout, or the test split) and the test split.</summary>
    public static (IImageDataset Train, IImageDataset? Validation, IImageDataset? Test) Split(Recipe recipe, DataSplits data)
    {
        var v = recipe.Data.Validation;
        var (train, validation) = v.Holdout <= 0 ? (data.Train, data.Test)
            : v.Holdout >= 1 ? Splits.StratifiedHoldout(data.Train, (int)v.Holdout, v.Seed)
            : Splits.StratifiedHoldout(data.Train, v.Holdout, v.Seed);
        // The subset is the "held" side of a second stratified draw: every class keeps its share.
        if (recipe.Data.TrainSubset is int n && n < train.Count) train = Splits.StratifiedHoldout(train, n, v.Seed + 1).Validation;
        return (train, validation, data.Test);
    }

    /// <summary>Normalize's statistics: the recipe's values, or computed from the training set (never the holdout, which would leak it) for auto.</summary>
    public static ChannelStatistics Normalization(Recipe recipe, IImageDataset train)
    {
        var d = recipe.Data;
        var computed = d.Mean.IsAuto || d.Std.IsAuto ? ChannelStatistics.Compute(train) : null;
        return new ChannelStatistics(
            PerChannel(d.Mean.IsAuto ? computed!.Mean : d.Mean.Values, train.Shape.Channels, "data.mean"),
            PerChannel(d.Std.IsAuto ? computed!.Std : d.Std.Values, train.Shape.Channels, "data.std"));
    }

    /// <summary>
    /// A transform list as one transform. Without to_tensor or normalize in the list, both are put
    /// after its uint8 transforms (before the first float one); normalize without mean/std uses
    /// <paramref name="normalization"/>.
    /// </summary>
    public static ISampleTransform Transform(IReadOnlyList<TransformStep> steps, ChannelStatistics normalization)
    {
        // Normalize holds its statistics as tensors, so libtorch must be loaded (with its compatibility fix) first.
        TorchRuntime.EnsureLoaded();
        var built = new List<ISampleTransform>();
        bool explicitTensor = steps.Any(s => s.Name is "to_tensor" or "normalize");
        int firstFloat = steps.ToList().FindIndex(s => TransformCatalog.IsFloatStage(s.Name));
        int implyAt = explicitTensor ? -1 : firstFloat >= 0 ? firstFloat : steps.Count;
        for (int i = 0; i <= steps.Count; i++)
        {
            if (i == implyAt)
            {
                built.Add(new ToTensor());
                built.Add(new Normalize(normalization.Mean, normalization.Std));
            }
            if (i == steps.Count) break;
            var step = steps[i];
            built.Add(step.Name == "normalize"
                ? new Normalize(Values(step, "mean", normalization.Mean), Values(step, "std", normalization.Std))
                : TransformCatalog.Build(step));
        }
        return new Compose([.. built]);
    }

    /// <summary>The model of a resolved recipe, initialised with training.seed so the same recipe starts from the same weights.</summary>
    public static torch.nn.Module<torch.Tensor, torch.Tensor> CreateModel(Recipe recipe)
    {
        TorchRuntime.EnsureLoaded();
        Seeding.SeedTorch(recipe.Training.Seed);
        var m = recipe.Model;
        var model = ModelRegistry.Create(m.Name, m.ToOptions(recipe.Data.Classes?.Count ?? m.NumClasses ?? 0, m.InChannels ?? 3, m.InputSize ?? 32));
        // A structurally pruned model: the family's network at the recorded widths.
        if (m.Channels is { } widths) ChannelPlan.Apply(model, widths);
        return model;
    }

    /// <summary>The recipe with what came from the data written in (mean/std, classes, and the model's classes, channels and side) and the monitored metric.</summary>
    public static Recipe Resolve(Recipe recipe, DataSplits data, ChannelStatistics normalization)
    {
        // data.classes names the data's classes (the builder writes them in); a list of another length would build a
        // classifier of the wrong width and name its outputs wrongly, so it is refused rather than replaced.
        if (recipe.Data.Classes is { } given && given.Count != data.Classes.Count)
            throw new RecipeException("recipe", [$"data.classes: {given.Count} names given, but {data.Name} has {data.Classes.Count} classes " +
                $"({string.Join(", ", data.Classes.Take(20))}{(data.Classes.Count > 20 ? ", ..." : "")}); remove data.classes to take the data's, or give {data.Classes.Count} names."]);
        return Resolved(recipe, data, normalization);
    }

    static Recipe Resolved(Recipe recipe, DataSplits data, ChannelStatistics normalization) => recipe with
    {
        // The monitored metric and its direction written in, so config.yaml, summary.json and resume name it.
        Training = WithMonitor(recipe.Training, TaskCatalog.Find(recipe.Task)!),
        Data = recipe.Data with
        {
            Mean = new ChannelValues { Values = normalization.Mean },
            Std = new ChannelValues { Values = normalization.Std },
            Classes = data.Classes,
            // Absolute, so a resumed run finds the scorer from any folder.
            Curriculum = recipe.Data.Curriculum is { Scorer: { } scorer } c ? c with { Scorer = Path.GetFullPath(scorer) } : recipe.Data.Curriculum,
        },
        Model = recipe.Model with
        {
            // An encoder task's model has no head; the others' is as wide as the data's classes.
            NumClasses = TaskCatalog.Find(recipe.Task)!.Model == TaskModel.Encoder ? 0 : recipe.Model.NumClasses ?? data.Classes.Count,
            InChannels = recipe.Model.InChannels ?? data.Train.Shape.Channels,
            InputSize = recipe.Model.InputSize ?? data.Train.Shape.Height,
        },
    };

    /// <summary>
    /// data.sampler: null for <c>random</c> (the loader's own order); for <c>weighted</c>, a WeightedRandomSampler whose
    /// sample weights are their class's balanced weight, so each class is drawn equally often on average.
    /// </summary>
    internal static ISampler? TrainSampler(DataRecipe d, IImageDataset train, long seed, int epochs)
    {
        if (d.Curriculum is { } curriculum) return CurriculumSampler(curriculum, d, train, seed, epochs);
        if (d.Sampler != "weighted") return null;
        if (!train.HasLabels) throw new RecipeException("recipe", [$"data.sampler: weighted balances classes, and {d.Spec} has no labels; use random."]);
        var classWeight = ClassWeights.Balanced(train.CountPerClass());
        return new WeightedRandomSampler(train.GetLabels().Select(label => classWeight[label]).ToArray(), train.Count, replacement: true, seed: seed);
    }

    /// <summary>
    /// data.curriculum: the scorer checkpoint ranks the training split (its loss on each image, or its prediction's entropy), and
    /// the sampler draws each epoch from the easiest part, growing by the pacing over the run's epochs; every epoch has at least a batch.
    /// </summary>
    static CurriculumSampler CurriculumSampler(CurriculumRecipe c, DataRecipe d, IImageDataset train, long seed, int epochs)
    {
        var path = Path.GetFullPath(c.Scorer!);
        if (!File.Exists(path))
            throw new RecipeException("recipe", [$"data.curriculum.scorer: '{c.Scorer}' does not exist; expected a classifier checkpoint of {d.Spec} written by `kindling train` (e.g. runs/NAME/checkpoints/best.ckpt)."]);
        var (_, scorer) = CheckpointModel.Load(path);
        using var model = scorer.Model;
        if (scorer.InputShape != train.Shape)
            throw new RecipeException("recipe", [$"data.curriculum.scorer: {c.Scorer} takes {scorer.InputShape.Channels}x{scorer.InputShape.Height}x{scorer.InputShape.Width} images, but {d.Spec} holds {train.Shape.Channels}x{train.Shape.Height}x{train.Shape.Width}; score with a model of this data."]);
        if (c.Difficulty == "loss" && (!train.HasLabels || !scorer.Classes.SequenceEqual(train.Classes)))
            throw new RecipeException("recipe", [$"data.curriculum.difficulty: loss needs the scorer's classes to be the data's ({(train.HasLabels ? string.Join(", ", train.Classes.Take(10)) : "the data has no labels")}; the scorer has {string.Join(", ", scorer.Classes.Take(10))}); use a scorer of this data, or difficulty: entropy."]);
        var scores = c.Difficulty == "loss" ? DifficultyScores.Loss(model, train, scorer.Transform) : DifficultyScores.Entropy(model, train, scorer.Transform);
        return new CurriculumSampler(train.Count, scores, epochs, c.ToPacing(), minSamples: Math.Min(d.BatchSize, train.Count), seed: seed);
    }

    static string TeacherPath(DistillationRecipe d)
    {
        var path = Path.GetFullPath(d.Teacher!);
        return File.Exists(path) ? path
            : throw new RecipeException("recipe", [$"distillation.teacher: '{d.Teacher}' does not exist; expected a checkpoint written by `kindling train` (e.g. runs/NAME/checkpoints/best.ckpt)."]);
    }

    // A run and an eval pipeline classify: a headless model's features would pass for logits of F classes
    // (cross-entropy and argmax take any width), so the recipe is refused before any data is opened.
    static void RequireClassifier(Recipe recipe)
    {
        if (recipe.Model.NumClasses == 0)
            throw new RecipeException("recipe", ["model.num_classes: 0 builds the model without its classifier (features only, for encoders and discriminators), " +
                "but a classification run needs a classifier head: remove num_classes to take the data's classes, or give the number of classes."]);
    }

    // A run built with a placeholder would train with it silently: auto values are chosen first.
    static void RequireNoAuto(Recipe recipe)
    {
        var auto = new List<string>();
        if (recipe.Data.BatchSizeIsAuto) auto.Add("data.batch_size: auto is chosen by the batch-size finder before the run is built: call Config.Tools.RecipeTuning.Resolve(recipe) first (kindling train does).");
        if (recipe.Optimizer.LrIsAuto) auto.Add("optimizer.lr: auto is chosen by the LR range test before the run is built: call Config.Tools.RecipeTuning.Resolve(recipe) first (kindling train does).");
        if (recipe.Training.EpochsIsAuto) auto.Add("training.epochs: auto is chosen for training.time_budget_minutes before the run is built: call Config.Tools.RecipeTuning.Resolve(recipe) first (kindling train does).");
        if (auto.Count > 0) throw new RecipeException("recipe", auto);
    }

    static IReadOnlyList<double> Values(TransformStep step, string key, IReadOnlyList<double> fallback) =>
        new TransformArguments(step.Arguments).Doubles(key, fallback);

    static IReadOnlyList<double> PerChannel(IReadOnlyList<double> values, int channels, string key) =>
        values.Count == channels ? values
        : values.Count == 1 ? Enumerable.Repeat(values[0], channels).ToArray()
        : throw new RecipeException("recipe", [$"{key}: has {values.Count} values but the images have {channels} channel{(channels == 1 ? "" : "s")}; give one value per channel (or one for all)."]);
}
