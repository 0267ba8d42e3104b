using Kindling.Config.Yaml;
using Kindling.SelfSupervised;

namespace Kindling.Config.Sections;

/// <summary>The <c>simclr</c> section (task: simclr): the projection head and NT-Xent's temperature.</summary>
public sealed record SimClrRecipe
{
    /// <summary>Width of the projection NT-Xent sees (SimCLR: 128).</summary>
    public int ProjectionDim { get; init; } = 128;

    /// <summary>Hidden width of the projection head; null: the encoder's feature width.</summary>
    public int? Hidden { get; init; }

    /// <summary>NT-Xent's temperature (SimCLR on CIFAR-10: 0.5).</summary>
    public double Temperature { get; init; } = 0.5;

    /// <summary>As the task's options.</summary>
    public SimClrOptions ToOptions() => new() { ProjectionDim = ProjectionDim, Hidden = Hidden, Temperature = Temperature };

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(ProjectionDim >= 1, path + ".projection_dim", ProjectionDim, ">= 1 (SimCLR: 128)");
        e.Check(Hidden is null or >= 1, path + ".hidden", Hidden, ">= 1, or null for the encoder's feature width");
        e.Check(Temperature > 0, path + ".temperature", Temperature, "a temperature > 0 (SimCLR: 0.5 on CIFAR-10)");
    }
}
