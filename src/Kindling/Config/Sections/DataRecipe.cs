using Kindling.Data.Datasets;
using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>The <c>data</c> section: the data set, the split used for validation, the loader (PyTorch's <c>DataLoader</c> argument names) and Normalize's statistics.</summary>
public sealed record DataRecipe
{
    /// <summary>The data spec (cifar10:PATH, cifar100:PATH, fashion-mnist, imagefolder:PATH, ...); a relative PATH is taken from the current folder.</summary>
    public string Spec { get; init; } = "fashion-mnist";

    /// <summary>Where validation comes from.</summary>
    public ValidationRecipe Validation { get; init; } = new();

    /// <summary>Train on a stratified subset of this many images of the training split (after the holdout), the same for every run of the recipe; null: all of it. For low-data runs and quick measurements.</summary>
    public int? TrainSubset { get; init; }

    /// <summary>Samples per batch; <c>auto</c>: the batch-size finder picks it before training.</summary>
    [AutoValue(nameof(BatchSizeIsAuto))]
    public int BatchSize { get; init; } = 128;

    /// <summary>The recipe says <c>batch_size: auto</c> and no number has been chosen yet (<see cref="Tools.RecipeTuning.Resolve"/> chooses it).</summary>
    public bool BatchSizeIsAuto { get; internal init; }

    /// <summary>Batch size of the validation and test loaders; null: <see cref="BatchSize"/> (no gradients, so larger is fine).</summary>
    public int? EvalBatchSize { get; init; }

    /// <summary>Loader worker threads; 0 loads in the training thread.</summary>
    public int NumWorkers { get; init; } = 2;

    /// <summary>Batches each worker keeps ready; null: PyTorch's default (2). Only with workers.</summary>
    public int? PrefetchFactor { get; init; }

    /// <summary>Keep the workers alive across epochs. Only with workers.</summary>
    public bool PersistentWorkers { get; init; }

    /// <summary>Page-locked batches for faster host-to-GPU copies; no effect on CPU.</summary>
    public bool PinMemory { get; init; }

    /// <summary>Drop the last, smaller training batch.</summary>
    public bool DropLast { get; init; }

    /// <summary>A new order each epoch for the training loader.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// The training loader's sampler: <c>random</c> (the order <see cref="Shuffle"/> gives) or <c>weighted</c> (PyTorch's
    /// WeightedRandomSampler with each sample weighted by its class's balanced weight, drawn with replacement, as many
    /// per epoch as the split holds: every class is seen equally often on average).
    /// </summary>
    public string Sampler { get; init; } = "random";

    /// <summary>Curriculum learning: each epoch draws from the easiest part of the split, growing to all of it; null: none.</summary>
    public CurriculumRecipe? Curriculum { get; init; }

    /// <summary>The samplers <see cref="Sampler"/> may name.</summary>
    public static IReadOnlyList<string> Samplers { get; } = ["random", "weighted"];

    /// <summary>
    /// Deliver NHWC-strided batches and train the model channels-last; <c>auto</c> (the default): on for a convolutional
    /// model on the CPU, where oneDNN's NHWC convolutions are the fast path (the seed CNN trains 1.17x PyTorch's speed
    /// channels-last against 0.92x NCHW), and under mixed precision on CUDA; off otherwise (a ViT has one convolution,
    /// its patch embedding). The builder writes the choice into the resolved recipe and says why.
    /// </summary>
    [AutoValue(nameof(ChannelsLastIsAuto))]
    public bool ChannelsLast { get; init; }

    /// <summary>The recipe leaves <see cref="ChannelsLast"/> to the builder (<c>channels_last: auto</c>, the default).</summary>
    public bool ChannelsLastIsAuto { get; internal init; } = true;

    /// <summary>
    /// Resize every picture of an image folder to <c>[height, width]</c> (or <c>[side]</c>) as it is read, so a folder of
    /// mixed sizes loads; null: the pictures must share one size. Other data sets have one size and ignore it.
    /// </summary>
    public IReadOnlyList<int>? Resize { get; init; }

    /// <summary><paramref name="open"/> with this recipe's <see cref="Resize"/> for image folders.</summary>
    public DataOpenOptions WithResize(DataOpenOptions? open)
    {
        open ??= new DataOpenOptions();
        return Resize is not { Count: 1 or 2 } r ? open
            : open with { ImageFolder = open.ImageFolder with { ResizeHeight = r[0], ResizeWidth = r[^1] } };
    }

    /// <summary>Class names; null: the data's. The builder writes them into the resolved recipe, so eval and predict know them without the data.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Normalize's mean: values or <c>auto</c>.</summary>
    public ChannelValues Mean { get; init; } = ChannelValues.Auto;

    /// <summary>Normalize's std: values or <c>auto</c>.</summary>
    public ChannelValues Std { get; init; } = ChannelValues.Auto;

    internal void Validate(RecipeErrors e, string path)
    {
        if (string.IsNullOrWhiteSpace(Spec)) e.Add(path + ".spec", $"is empty; expected a data spec such as cifar10:PATH or fashion-mnist (kinds: {string.Join(", ", Data.Datasets.DataSpec.Kinds)}).");
        else
        {
            try { Data.Datasets.DataSpec.Parse(Spec); }
            catch (ArgumentException x) { e.Add(path + ".spec", x.Message); }
        }
        Validation.Validate(e, path + ".validation");
        e.Check(Resize is null || (Resize.Count is 1 or 2 && Resize.All(v => v >= 1)), path + ".resize", Resize, "[height, width] or [side] in pixels, each >= 1, or null");
        e.Check(TrainSubset is null or >= 1, path + ".train_subset", TrainSubset, "a count of images >= 1, or null for the whole training split");
        e.Check(BatchSize >= 1, path + ".batch_size", BatchSize, ">= 1");
        e.OneOf(path + ".sampler", Sampler, Samplers, "sampler");
        if (Curriculum is not null)
        {
            Curriculum.Validate(e, path + ".curriculum");
            // Both choose which samples an epoch draws: one sampler per loader, as in PyTorch.
            if (Sampler != "random") e.Add(path + ".curriculum", $"chooses each epoch's samples itself, so it cannot be combined with sampler: {Sampler}; use one of them.");
        }
        e.Check(EvalBatchSize is null or >= 1, path + ".eval_batch_size", EvalBatchSize, ">= 1 or null");
        e.Check(NumWorkers >= 0, path + ".num_workers", NumWorkers, ">= 0");
        e.Check(PrefetchFactor is null or >= 1, path + ".prefetch_factor", PrefetchFactor, ">= 1 or null");
        if (NumWorkers == 0 && PrefetchFactor is not null) e.Add(path + ".prefetch_factor", "needs num_workers > 0 (as in PyTorch); set it to null or add workers.");
        if (NumWorkers == 0 && PersistentWorkers) e.Add(path + ".persistent_workers", "needs num_workers > 0 (as in PyTorch); set it to false or add workers.");
        foreach (var (key, values, positive) in new[] { ("mean", Mean, false), ("std", Std, true) })
        {
            if (values.IsAuto) continue;
            if (values.Values.Count == 0) e.Add($"{path}.{key}", "is empty; expected auto or one value per channel.");
            foreach (var v in values.Values)
                e.Check(positive ? v > 0 : double.IsFinite(v), $"{path}.{key}", v, positive ? "values > 0" : "finite values");
        }
    }
}
