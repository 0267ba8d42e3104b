namespace Kindling.SelfSupervised;

/// <summary>MoCo v2's settings (the recipe's <c>moco</c> section).</summary>
public sealed record MocoOptions
{
    /// <summary>K, negatives kept in the queue (MoCo on ImageNet: 65,536; its CIFAR-10 demo: 4,096).</summary>
    public int Queue { get; init; } = 4096;

    /// <summary>m of theta_k = m theta_k + (1 - m) theta_q (MoCo: 0.999; its CIFAR-10 demo: 0.99).</summary>
    public double Momentum { get; init; } = 0.99;

    /// <summary>InfoNCE's temperature (MoCo v2: 0.2).</summary>
    public double Temperature { get; init; } = 0.2;

    /// <summary>Width of the projection (MoCo: 128).</summary>
    public int ProjectionDim { get; init; } = 128;

    /// <summary>Hidden width of the MLP head (MoCo v2); null: the encoder's feature width.</summary>
    public int? Hidden { get; init; }

    /// <summary>
    /// The symmetric loss of MoCo v2+ (solo-learn) and MoCo v3: each view is a query against the other view's key, the two
    /// losses averaged, and both views' keys enqueued (2N a step). About twice the compute of a step; false: MoCo v2.
    /// </summary>
    public bool Symmetric { get; init; }

    /// <summary>
    /// Shuffling BatchNorm in one process: the batch is split into this many groups, each normalized with its own statistics,
    /// and the keys are shuffled across the groups (see <see cref="ShuffleBn"/>); 1: no shuffle-BN.
    /// </summary>
    public int ShuffleBnGroups { get; init; } = 4;
}
