namespace Kindling.SelfSupervised;

/// <summary>SimCLR's settings (the recipe's <c>simclr</c> section).</summary>
public sealed record SimClrOptions
{
    /// <summary>Width of the projection the loss sees (SimCLR: 128).</summary>
    public int ProjectionDim { get; init; } = 128;

    /// <summary>Hidden width of the projection head; null: the encoder's feature width (the seed's choice).</summary>
    public int? Hidden { get; init; }

    /// <summary>NT-Xent's temperature (SimCLR on CIFAR-10: 0.5).</summary>
    public double Temperature { get; init; } = 0.5;
}
