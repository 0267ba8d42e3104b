using Kindling.Config.Yaml;
using Kindling.SelfSupervised;

namespace Kindling.Config.Sections;

/// <summary>The <c>moco</c> section (task: moco): MoCo v2's queue, momentum, temperature, head and shuffle-BN groups.</summary>
public sealed record MocoRecipe
{
    /// <summary>K, negatives in the queue (at least one batch).</summary>
    public int Queue { get; init; } = 4096;

    /// <summary>The key encoder's momentum m.</summary>
    public double Momentum { get; init; } = 0.99;

    /// <summary>InfoNCE's temperature (MoCo v2: 0.2).</summary>
    public double Temperature { get; init; } = 0.2;

    /// <summary>Width of the projection (MoCo: 128).</summary>
    public int ProjectionDim { get; init; } = 128;

    /// <summary>Hidden width of the MLP head; null: the encoder's feature width.</summary>
    public int? Hidden { get; init; }

    /// <summary>The symmetric loss (MoCo v2+, MoCo v3): each view a query against the other's key; about twice a step's compute.</summary>
    public bool Symmetric { get; init; }

    /// <summary>Groups the batch is split into for shuffled BatchNorm (1: none); data.batch_size must be a multiple.</summary>
    public int ShuffleBnGroups { get; init; } = 4;

    /// <summary>As the task's options.</summary>
    public MocoOptions ToOptions() => new()
    {
        Queue = Queue, Momentum = Momentum, Temperature = Temperature, ProjectionDim = ProjectionDim, Hidden = Hidden, ShuffleBnGroups = ShuffleBnGroups, Symmetric = Symmetric,
    };

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(Queue >= 1, path + ".queue", Queue, ">= 1 negatives (MoCo's CIFAR-10 demo: 4096)");
        e.Check(Momentum is >= 0 and <= 1, path + ".momentum", Momentum, "a momentum in [0, 1] (MoCo: 0.99..0.999)");
        e.Check(Temperature > 0, path + ".temperature", Temperature, "a temperature > 0 (MoCo v2: 0.2)");
        e.Check(ProjectionDim >= 1, path + ".projection_dim", ProjectionDim, ">= 1 (MoCo: 128)");
        e.Check(Hidden is null or >= 1, path + ".hidden", Hidden, ">= 1, or null for the encoder's feature width");
        e.Check(ShuffleBnGroups >= 1, path + ".shuffle_bn_groups", ShuffleBnGroups, ">= 1 (1: no shuffled BatchNorm)");
    }
}
