using Kindling.Data.Loading;
using static TorchSharp.torch;

namespace Kindling.Training.Tasks;

/// <summary>What a task's <see cref="TrainingTask.Validate"/> sees: where inputs go, and the batches each in a dispose scope.</summary>
public sealed class ValidationContext
{
    internal ValidationContext(Device device, ScalarType? computeType, bool channelsLast, int epoch, bool ema, IGradientReducer? replicas = null)
    {
        this.replicas = replicas;
        Device = device;
        ComputeType = computeType;
        ChannelsLast = channelsLast;
        Epoch = epoch;
        Ema = ema;
    }

    readonly IGradientReducer? replicas;

    public Device Device { get; }

    /// <summary>How many data-parallel replicas validate a shard each (1: this process sees the whole split).</summary>
    public int Replicas => replicas?.WorldSize ?? 1;

    /// <summary>
    /// The element-wise sums of <paramref name="values"/> over the replicas, for a task that
    /// <see cref="TrainingTask.ReducesValidation"/>: pass counts and weighted sums (never means), then compute the metrics
    /// from the totals, so they are exactly the whole split's. Without replicas: the values themselves.
    /// </summary>
    public double[] SumAcrossReplicas(double[] values) => replicas?.Sum(values) ?? values;
    public ScalarType? ComputeType { get; }
    public bool ChannelsLast { get; }

    /// <summary>The epoch just trained (1-based).</summary>
    public int Epoch { get; }

    /// <summary>Whether the modules hold the EMA weights.</summary>
    public bool Ema { get; }

    /// <summary>An image batch on the device, in the compute type and memory format the modules use.</summary>
    public Tensor Input(Tensor images) => TrainingSession.PrepareInput(images, Device, ComputeType, ChannelsLast);

    /// <summary>The batches, each disposed with everything made from it when the loop moves on (one dispose scope per batch).</summary>
    public static IEnumerable<Batch> Batches(IEnumerable<Batch> data)
    {
        foreach (var batch in data)
        {
            using (batch)
            using (NewDisposeScope())
                yield return batch;
        }
    }
}
