using Kindling.Config.Sections;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Distributed;
using Kindling.Distributed.Mpi;
using Kindling.Runtime;
using Kindling.Training;

namespace Kindling.Config.Runs;

/// <summary>
/// What a recipe's run becomes on one rank of a data-parallel job: the recipe's batch size is the global one (each rank
/// loads batch_size / world size), the training split is sharded by a <see cref="DistributedSampler"/> seeded alike on
/// every rank (so the shards partition each epoch's shuffled order), augmentation draws with a rank's own seed,
/// validation is sharded when the task sums its counts across ranks, and the trainer gets the gradient all-reducer.
/// </summary>
static class DataParallelSetup
{
    /// <summary>Refuses what cannot run data-parallel, naming the key and what to do.</summary>
    public static void Check(Recipe recipe, ICommunicator world)
    {
        if (world.Size == 1) return;
        var d = recipe.Data;
        var errors = new List<string>();
        if (d.BatchSize % world.Size != 0)
            errors.Add($"data.batch_size: {d.BatchSize} is the global batch, split evenly among the {world.Size} ranks (each loads batch_size / world size); " +
                       $"it does not divide by {world.Size}: use a multiple of {world.Size} (e.g. {(d.BatchSize / world.Size + 1) * world.Size}) or another number of ranks.");
        if (d.Sampler == "weighted")
            errors.Add("data.sampler: weighted is not sharded across ranks yet; use random under mpirun (or train in one process).");
        if (d.Curriculum is not null)
            errors.Add("data.curriculum is not sharded across ranks yet; remove it under mpirun (or train in one process).");
        if (errors.Count > 0) throw new RecipeException("recipe", errors);
    }

    /// <summary>This rank's shard of the training split, in batches of batch_size / world size.</summary>
    public static DataLoader TrainLoader(IImageDataset train, DataLoaderOptions loader, DataRecipe d, ISampleTransform transform, long seed, ICommunicator world)
    {
        var sampler = new DistributedSampler(train.Count, world.Size, world.Rank, shuffle: d.Shuffle, seed: seed);
        // Rank 0 keeps the run's seed; the others draw their augmentation from their own (the sampler's seed stays shared).
        long augmentation = world.Rank == 0 ? seed : Seeding.For(seed, "replica-augmentation", world.Rank).NextInt64();
        return new DataLoader(train, loader with { BatchSize = d.BatchSize / world.Size, DropLast = d.DropLast, Seed = augmentation }, transform, sampler);
    }

    /// <summary>
    /// This rank's share of the validation split (every world-size-th sample, no padding, so every sample is counted once),
    /// for a task that sums its validation counts across ranks.
    /// </summary>
    public static DataLoader ValidationLoader(IImageDataset validation, DataLoaderOptions evalOptions, ISampleTransform transform, ICommunicator world)
    {
        var indices = Enumerable.Range(0, validation.Count).Where(i => i % world.Size == world.Rank).ToList();
        var shard = new SubsetDataset(validation, indices, $"{validation.Name} (rank {world.Rank} of {world.Size})");
        return new DataLoader(shard, evalOptions with { BatchSize = Math.Max(1, evalOptions.BatchSize / world.Size) }, transform);
    }

    /// <summary>Replaces every BatchNorm of <paramref name="model"/> by a <see cref="SyncBatchNorm"/> over <paramref name="world"/> (same parameter and buffer names); returns how many.</summary>
    public static int SyncBatchNorms(TorchSharp.torch.nn.Module model, ICommunicator world)
    {
        var norms = model.named_modules().Where(m => m.module is TorchSharp.Modules.BatchNorm1d or TorchSharp.Modules.BatchNorm2d or TorchSharp.Modules.BatchNorm3d).ToList();
        // The replaced BatchNorms are not disposed: their parameters and buffers now belong to the SyncBatchNorms.
        foreach (var (name, norm) in norms) Compression.ModuleSurgery.Replace(model, name, new SyncBatchNorm(norm, world));
        return norms.Count;
    }

    /// <summary>The trainer's options with the gradient all-reducer, and the communicator's timeout from the recipe.</summary>
    public static TrainerOptions WithReducer(TrainerOptions options, DistributedRecipe recipe, ICommunicator world)
    {
        if (world.Size == 1) return options;
        if (world is MpiCommunicator mpi) mpi.Timeout = TimeSpan.FromSeconds(recipe.TimeoutSeconds);
        return options with { GradientReducer = new GradientAllReducer(world, recipe.BucketMb) };
    }
}
