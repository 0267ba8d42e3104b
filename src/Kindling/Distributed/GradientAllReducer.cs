using System.Diagnostics;
using Kindling.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Distributed;

/// <summary>
/// Data-parallel gradient averaging on a communicator (DistributedDataParallel's reducer): an optimizer's gradients are
/// packed in order into flat buckets of at most <see cref="BucketBytes"/>, each bucket's all-reduce is started as soon as it
/// is packed and runs while the next one is packed (and while earlier buckets are unpacked), then each is divided by the
/// world size and copied back. TorchSharp has no per-parameter backward hooks, so unlike DDP the all-reduce cannot start
/// during backward: it overlaps the packing and unpacking of the other buckets only (docs/distributed.md).
/// </summary>
public sealed class GradientAllReducer : IGradientReducer
{
    readonly ICommunicator communicator;
    readonly Stopwatch clock = new();

    /// <param name="communicator">The process group (every rank must make the same calls).</param>
    /// <param name="bucketMegabytes">Bucket size in MiB (DDP's bucket_cap_mb; 25 by default as there).</param>
    public GradientAllReducer(ICommunicator communicator, double bucketMegabytes = 25)
    {
        if (!(bucketMegabytes > 0)) throw new ArgumentOutOfRangeException(nameof(bucketMegabytes), bucketMegabytes, "the bucket size must be positive (MiB).");
        this.communicator = communicator;
        BucketBytes = Math.Max(4, (long)(bucketMegabytes * 1024 * 1024));
    }

    /// <inheritdoc/>
    public int Rank => communicator.Rank;

    /// <inheritdoc/>
    public int WorldSize => communicator.Size;

    /// <summary>The largest bucket, in bytes.</summary>
    public long BucketBytes { get; }

    /// <summary>Time spent averaging gradients so far (packing, communication, unpacking): the communication cost of the steps.</summary>
    public TimeSpan GradientTime => clock.Elapsed;

    /// <summary>Gradient bytes this rank has sent into all-reduces so far.</summary>
    public long BytesReduced { get; private set; }

    /// <summary>Buckets all-reduced so far.</summary>
    public long Buckets { get; private set; }

    /// <inheritdoc/>
    public void Broadcast(IReadOnlyList<Tensor> tensors)
    {
        if (WorldSize == 1) return;
        using var _ = no_grad();
        foreach (var tensor in tensors)
        {
            using var scope = NewDisposeScope();
            // A copy, broadcast, then written back: parameters may be channels-last strided or on another device.
            var buffer = tensor.detach().to(CPU).contiguous().clone();
            communicator.Broadcast(buffer, 0);
            tensor.detach().copy_(buffer);
        }
    }

    /// <inheritdoc/>
    public bool AverageGradients(IReadOnlyList<Parameter> parameters, bool lossFinite)
    {
        if (WorldSize == 1) return lossFinite;
        clock.Start();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            // One small all-reduce first: which parameters have gradients on any rank, and whether any rank's loss was not
            // finite. Ranks then pack the same buckets even when a parameter got no gradient on some of them.
            var flags = new double[parameters.Count + 1];
            flags[0] = lossFinite ? 0 : 1;
            for (int i = 0; i < parameters.Count; i++) flags[i + 1] = parameters[i].grad is null ? 0 : 1;
            flags = Sum(flags);
            var gradients = new List<Tensor>();
            for (int i = 0; i < parameters.Count; i++)
            {
                if (flags[i + 1] == 0) continue;
                var p = parameters[i];
                if (p.grad is null) p.grad = zeros_like(p).DetachFromDisposeScope();
                gradients.Add(p.grad!);
            }
            ReduceInBuckets(gradients);
            return flags[0] == 0;
        }
        finally
        {
            clock.Stop();
        }
    }

    void ReduceInBuckets(List<Tensor> gradients)
    {
        var inFlight = new List<(Tensor Flat, List<Tensor> Members, IPendingCollective Request)>();
        foreach (var bucket in Partition(gradients))
        {
            // Gradients of other dtypes travel as float32 (MPI sums float32, float64 and int64); fp32 masters are the usual case.
            var type = bucket[0].dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
            var flat = cat(bucket.Select(g => g.reshape(-1).to(type, CPU)).ToList(), 0).contiguous();
            BytesReduced += flat.numel() * flat.ElementSize;
            Buckets++;
            inFlight.Add((flat, bucket, communicator.StartAllReduce(flat, ReduceOp.Sum)));
            // Open MPI progresses non-blocking collectives inside MPI calls: testing the earlier ones moves them on.
            foreach (var earlier in inFlight) earlier.Request.Test();
        }
        foreach (var (flat, members, request) in inFlight)
        {
            request.Wait();
            flat.div_(WorldSize);
            long offset = 0;
            foreach (var g in members)
            {
                long n = g.numel();
                // view(shape) of the contiguous slice is in logical order, and copy_ writes it into any strides (channels-last).
                g.copy_(flat.narrow(0, offset, n).view(g.shape));
                offset += n;
            }
        }
    }

    /// <summary>Consecutive gradients of one dtype, up to <see cref="BucketBytes"/> each (a larger gradient is a bucket of its own).</summary>
    IEnumerable<List<Tensor>> Partition(List<Tensor> gradients)
    {
        var bucket = new List<Tensor>();
        long bytes = 0;
        foreach (var g in gradients)
        {
            long size = g.numel() * 4;
            if (bucket.Count > 0 && (bytes + size > BucketBytes || g.dtype != bucket[0].dtype))
            {
                yield return bucket;
                bucket = new List<Tensor>();
                bytes = 0;
            }
            bucket.Add(g);
            bytes += size;
        }
        if (bucket.Count > 0) yield return bucket;
    }

    /// <inheritdoc/>
    public bool AllTrue(bool value)
    {
        if (WorldSize == 1) return value;
        using var flag = tensor(new long[] { value ? 1 : 0 });
        communicator.AllReduce(flag, ReduceOp.Min);
        return flag.item<long>() == 1;
    }

    /// <inheritdoc/>
    public Tensor AllGather(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var local = tensor.detach().to(CPU).contiguous();
        var all = WorldSize == 1 ? local.unsqueeze(0) : communicator.AllGather(local);
        // [ranks, n, ...] -> [ranks * n, ...]: torch.cat of the gathered list, as concat_all_gather returns.
        var shape = tensor.dim() == 0 ? new long[] { WorldSize } : new[] { WorldSize * tensor.shape[0] }.Concat(tensor.shape.Skip(1)).ToArray();
        return all.reshape(shape).to(tensor.device).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public double[] Sum(double[] values)
    {
        if (WorldSize == 1 || values.Length == 0) return values;
        using var buffer = tensor(values, float64);
        communicator.AllReduce(buffer, ReduceOp.Sum);
        return buffer.data<double>().ToArray();
    }
}
