using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>
/// The <c>knn</c> section of the pretraining tasks (simclr, moco): the kNN monitor, val_knn_accuracy on the validation
/// split with the training split's features as the memory bank, and the settings <c>kindling probe</c> uses by default.
/// </summary>
public sealed record KnnRecipe
{
    /// <summary>Measure every this many epochs (and at the last); 0: never (validation then measures nothing).</summary>
    public int Every { get; init; } = 1;

    /// <summary>Neighbours that vote (InstDisc/MoCo: 200).</summary>
    public int K { get; init; } = 200;

    /// <summary>Temperature of the votes' weights (InstDisc/MoCo: 0.1).</summary>
    public double Temperature { get; init; } = 0.1;

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(Every >= 0, path + ".every", Every, ">= 0 epochs (0: no kNN monitor)");
        e.Check(K >= 1, path + ".k", K, ">= 1 neighbours (InstDisc/MoCo: 200)");
        e.Check(Temperature > 0, path + ".temperature", Temperature, "a temperature > 0 (InstDisc/MoCo: 0.1)");
    }
}
