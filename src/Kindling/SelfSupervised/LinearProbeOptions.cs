namespace Kindling.SelfSupervised;

/// <summary>How the linear probe trains its classifier on frozen features.</summary>
public sealed record LinearProbeOptions
{
    /// <summary>Epochs over the cached training features.</summary>
    public int Epochs { get; init; } = 30;

    public int BatchSize { get; init; } = 256;

    /// <summary>Adam's learning rate, annealed by a cosine schedule to 0.</summary>
    public double Lr { get; init; } = 1e-3;

    public double WeightDecay { get; init; }

    /// <summary>Seeds the classifier's initialisation and the batches' order.</summary>
    public long Seed { get; init; }

    /// <summary>Intra-op threads (null: the process's setting).</summary>
    public int? Threads { get; init; }
}
