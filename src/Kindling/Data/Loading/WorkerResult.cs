namespace Kindling.Data.Loading;

/// <summary>What a worker hands over for one batch: the batch, or the exception that stopped it.</summary>
internal readonly record struct WorkerResult(Batch? Batch, Exception? Error);
