using Kindling.Config.Runs;
using Kindling.Config.Sections;
using Kindling.Config.Yaml;
using Kindling.Data.BatchMix;
using Kindling.Generative.PixelCnn;
using Kindling.Optim.Schedulers;
using Kindling.SelfSupervised;
using Kindling.SelfSupervised.Multimodal;
using Kindling.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kindling.Config;

/// <summary>
/// A recipe: everything a run needs, read from YAML with PyTorch's argument names as keys.
/// <see cref="Load"/> refuses unknown keys, wrong types and out-of-range values before anything
/// runs, listing every problem at once; <see cref="ToYaml"/> writes the resolved recipe back (every
/// key, defaults included) and reads back to the same recipe. Defaults are the library's defaults.
/// </summary>
/// <example><code>
/// var recipe = Recipe.Load("configs/fashion-mnist-fast.yaml", ["optimizer.lr=3e-3", "training.epochs=5"]);
/// using var run = RecipeBuilder.Build(recipe);
/// new Trainer(run.TrainerOptions).Fit(run.Task, run.TrainLoader, run.ValidationLoader);
/// </code></example>
public sealed record Recipe
{
    /// <summary>Data set, validation split, loader and normalization.</summary>
    /// <summary>What is trained (Config/Runs/TaskCatalog): classification unless the recipe names another task.</summary>
    public string Task { get; init; } = "classification";

    public DataRecipe Data { get; init; } = new();

    /// <summary>Per-sample transforms for training and evaluation.</summary>
    public TransformsRecipe Transforms { get; init; } = new();

    /// <summary>mixup / CutMix.</summary>
    public BatchMixRecipe BatchMix { get; init; } = new();

    /// <summary>The network.</summary>
    public ModelRecipe Model { get; init; } = new();

    /// <summary>The optimizer.</summary>
    public OptimizerRecipe Optimizer { get; init; } = new();

    /// <summary>The learning-rate schedule (PyTorch's class name in snake case and its arguments).</summary>
    public ScheduleOptions Schedule { get; init; } = new();

    /// <summary>The loss.</summary>
    public LossRecipe Loss { get; init; } = new();

    /// <summary>Knowledge distillation from a teacher checkpoint (off without a teacher).</summary>
    public DistillationRecipe Distillation { get; init; } = new();

    /// <summary>The masked autoencoder (task: mae).</summary>
    public MaeRecipe Mae { get; init; } = new();

    /// <summary>The image-text alignment demo (task: multimodal).</summary>
    public MultimodalOptions Multimodal { get; init; } = new();

    /// <summary>The VAE (<c>task: vae</c>).</summary>
    public VaeRecipe Vae { get; init; } = new();

    /// <summary>The GAN (<c>task: gan</c>).</summary>
    public GanRecipe Gan { get; init; } = new();

    /// <summary>The PixelCNN of task: pixelcnn.</summary>
    public PixelCnnOptions PixelCnn { get; init; } = new();

    /// <summary>The noise schedule, U-Net and sampler of task: diffusion.</summary>
    public DiffusionRecipe Diffusion { get; init; } = new();

    /// <summary>SimCLR's projection head and temperature (task: simclr).</summary>
    public SimClrOptions Simclr { get; init; } = new();

    /// <summary>MoCo v2's queue, momentum, temperature and shuffle-BN groups (task: moco).</summary>
    public MocoOptions Moco { get; init; } = new();

    /// <summary>The kNN monitor and probe settings of the pretraining tasks (simclr, moco).</summary>
    public KnnRecipe Knn { get; init; } = new();

    /// <summary>The loop's engineering.</summary>
    public TrainingRecipe Training { get; init; } = new();

    /// <summary>Data-parallel communication (under mpirun): gradient bucket size, collective timeout.</summary>
    public DistributedRecipe Distributed { get; init; } = new();

    /// <summary>What the run writes.</summary>
    public LoggingRecipe Logging { get; init; } = new();

    /// <summary>Reads, overrides and validates a recipe file.</summary>
    /// <param name="path">The YAML file.</param>
    /// <param name="overrides"><c>key.path=value</c> assignments (<c>--set</c>), applied before validation.</param>
    /// <exception cref="RecipeException">Every problem, one line each.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static Recipe Load(string path, IEnumerable<string>? overrides = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"recipe '{path}' not found; the shipped recipes are in configs/ (e.g. configs/fashion-mnist-fast.yaml).", path);
        return Parse(File.ReadAllText(path), overrides, path);
    }

    /// <summary>Reads, overrides and validates recipe text (a checkpoint's stored recipe, a test's).</summary>
    /// <param name="yaml">The recipe; empty text is the default recipe.</param>
    /// <param name="overrides"><c>key.path=value</c> assignments.</param>
    /// <param name="source">Named in error messages.</param>
    /// <exception cref="RecipeException">Every problem, one line each.</exception>
    public static Recipe Parse(string yaml, IEnumerable<string>? overrides = null, string source = "recipe")
    {
        var errors = new RecipeErrors();
        YamlNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            throw new RecipeException(source, [$"not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}"]);
        }
        if (root is null || RecipeBinder.IsNull(root)) root = new YamlMappingNode();
        if (root is YamlMappingNode mapping)
            foreach (var o in overrides ?? []) RecipeOverrides.Apply(mapping, o, errors);
        var recipe = (Recipe)new RecipeBinder(errors).Bind(typeof(Recipe), root, "");
        recipe.Check(errors);
        errors.ThrowIfAny(source);
        return recipe;
    }

    /// <summary>Checks every value's range and every name (model, optimizer, schedule, transforms) against what is known.</summary>
    /// <exception cref="RecipeException">Every problem, one line each.</exception>
    public void Validate()
    {
        var errors = new RecipeErrors();
        Check(errors);
        errors.ThrowIfAny("recipe");
    }

    void Check(RecipeErrors e)
    {
        Data.Validate(e, "data");
        foreach (var (list, key) in new[] { (Transforms.Train, "train"), (Transforms.Eval, "eval") })
        {
            for (int i = 0; i < list.Count; i++) TransformCatalog.Validate(list[i], $"transforms.{key}[{i}].{list[i].Name}", e);
            TransformCatalog.CheckOrder(list, $"transforms.{key}", e);
        }
        Transforms.Validate(e, "transforms");
        BatchMix.Validate(e, "batch_mix");
        Model.Validate(e, "model");
        Optimizer.Validate(e, "optimizer");
        ScheduleValidation.Validate(Schedule, e, "schedule");
        Loss.Validate(e, "loss");
        Distillation.Validate(e, "distillation");
        SimClrValidation.Validate(Simclr, e, "simclr");
        MocoValidation.Validate(Moco, e, "moco");
        Knn.Validate(e, "knn");
        if (Loss.ClassWeight is not null && Distillation.Teacher is not null)
            e.Add("loss.class_weight", "is not applied by distillation's loss (the teacher's soft targets already weigh the classes); remove it or distillation.teacher.");
        Mae.Validate(e, "mae");
        MultimodalValidation.Validate(Multimodal, e, "multimodal");
        Vae.Validate(e, "vae");
        Gan.Validate(e, "gan");
        PixelCnnValidation.Validate(PixelCnn, e, "pixelcnn");
        Diffusion.Validate(e, "diffusion");
        Training.Validate(e, "training");
        Logging.Validate(e, "logging");
        Distributed.Validate(e, "distributed");
        CheckTask(e);
        if (Optimizer.LrIsAuto && Schedule.MaxLr is not null)
            e.Add("optimizer.lr", "auto would be ignored: schedule.max_lr sets the peak; remove schedule.max_lr to let the LR range test choose it, or give lr a number.");
        if (Schedule.Name == "one_cycle_lr" && Schedule.CycleMomentum && Optimizer.Name is "adagrad")
            e.Add("schedule.cycle_momentum", "adagrad has neither momentum nor betas to cycle; set cycle_momentum: false.");
        if (Schedule.Name == "one_cycle_lr" && Schedule.CycleMomentum && Optimizer.Name is "sgd" or "rmsprop" && Optimizer.Momentum == 0)
            e.Add("schedule.cycle_momentum", $"{Optimizer.Name} without momentum has no momentum to cycle; set optimizer.momentum (e.g. 0.9) or cycle_momentum: false.");
    }

    // The task's name, the metrics the recipe watches, and the sections that belong to other tasks.
    void CheckTask(RecipeErrors e)
    {
        if (TaskCatalog.Find(Task) is not { } task)
        {
            e.Add("task", TaskCatalog.Unknown(Task));
            return;
        }
        TaskCatalog.CheckMetric(e, task, "training.monitor", Training.Monitor);
        TaskCatalog.CheckMetric(e, task, "training.early_stopping.monitor", Training.EarlyStopping?.Monitor);
        TaskCatalog.CheckMetric(e, task, "schedule.monitor", Schedule.Monitor);
        var defaults = new Recipe();
        foreach (var other in TaskCatalog.Names.Select(TaskCatalog.Find).OfType<TaskCatalog.Entry>().Where(t => t.Name != task.Name))
            foreach (var section in other.Sections.Where(s => !task.Sections.Contains(s) && !Equals(Section(s), defaults.Section(s))))
                e.Add(section, $"belongs to the {other.Name} task, but this recipe's task is {task.Name}: remove the section, or set task: {other.Name}.");
    }

    object? Section(string name) => RecipeSchema.Find(typeof(Recipe), name)?.GetValue(this);

    /// <summary>The resolved recipe as YAML, every key included; <see cref="Parse"/> reads it back to an equal recipe.</summary>
    public string ToYaml() => RecipeWriter.Write(this);

    /// <summary>The trainer's options (with this recipe as <see cref="TrainerOptions.ConfigText"/>, so checkpoints carry it).</summary>
    /// <param name="checkpointDir">Where best.ckpt and last.ckpt go; null: none.</param>
    public TrainerOptions ToTrainerOptions(string? checkpointDir = null) => new()
    {
        Epochs = Training.Epochs,
        Optimizer = Optimizer.ToOptions(),
        Schedule = Schedule with { Name = Schedule.Name.Trim().ToLowerInvariant() },
        LabelSmoothing = Loss.LabelSmoothing,
        AccumulationSteps = Training.AccumulationSteps,
        ClipGradNorm = Training.ClipGradNorm,
        ClipGradNormType = Training.ClipGradNormType,
        ClipGradValue = Training.ClipGradValue,
        NonFinite = Enum.Parse<NonFiniteAction>(Training.NonFinite, ignoreCase: true),
        Precision = Enum.Parse<Precision>(Training.Precision.Replace("_", ""), ignoreCase: true),
        Device = Training.Device,
        Threads = Training.Threads,
        Tf32 = Training.Tf32,
        ChannelsLast = Data.ChannelsLast,
        Seed = Training.Seed,
        EmaDecay = Training.Ema?.Decay,
        EmaWarmup = Training.Ema?.Warmup ?? true,
        EarlyStopping = Training.EarlyStopping,
        BatchMix = CreateBatchMix(),
        CheckpointDir = checkpointDir,
        Monitor = Training.Monitor,
        MonitorMode = Training.MonitorMode,
        TopK = Training.TopK,
        ConfigText = ToYaml(),
    };

    /// <summary>The batch mixing the recipe asks for, or null.</summary>
    public IBatchMix? CreateBatchMix()
    {
        var m = BatchMix;
        if (!m.Enabled) return null;
        if (m.MixupAlpha > 0 && m.CutmixAlpha > 0) return new MixupOrCutMix(m.MixupAlpha, m.CutmixAlpha, m.SwitchProb, m.Prob);
        // One kind alone: MixupOrCutMix with the switch pinned keeps prob's meaning.
        if (m.Prob < 1) return m.MixupAlpha > 0 ? new MixupOrCutMix(m.MixupAlpha, 1.0, 0.0, m.Prob) : new MixupOrCutMix(1.0, m.CutmixAlpha, 1.0, m.Prob);
        return m.MixupAlpha > 0 ? new Mixup(m.MixupAlpha) : new CutMix(m.CutmixAlpha);
    }
}
