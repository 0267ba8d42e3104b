using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>
/// The <c>distributed</c> section: how data-parallel replicas (<c>mpirun -np N kindling train</c>) communicate. A run
/// without mpirun ignores it. <c>data.batch_size</c> and <c>optimizer.lr</c> stay the global values (docs/distributed.md).
/// </summary>
public sealed record DistributedRecipe
{
    /// <summary>Gradients are all-reduced in flat buckets of at most this many MiB (DDP's bucket_cap_mb): larger buckets mean fewer, more efficient messages; smaller ones more overlap.</summary>
    public double BucketMb { get; init; } = 25;

    /// <summary>A collective that waits longer than this for the other ranks aborts the job (a rank died or hangs) instead of hanging.</summary>
    public double TimeoutSeconds { get; init; } = 300;

    /// <summary>
    /// Replace every BatchNorm by a <c>SyncBatchNorm</c> whose training statistics are the global batch's (each rank's
    /// batch is batch_size / world size, which may be too few samples for BatchNorm); costs two small all-reduces per
    /// BatchNorm in forward and two in backward.
    /// </summary>
    public bool SyncBatchnorm { get; init; }

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(BucketMb is > 0 and <= 2048, path + ".bucket_mb", BucketMb, "a size in MiB in (0, 2048]");
        e.Check(TimeoutSeconds is >= 1 and <= 86400, path + ".timeout_seconds", TimeoutSeconds, "seconds in [1, 86400]");
    }
}
