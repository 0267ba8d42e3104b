using Kindling.Compression.Pruning;
using Kindling.Config.Runs;
using Kindling.Training.Callbacks;

namespace Kindling.Config.Tools;

/// <summary>
/// <see cref="Pruner"/> on a built recipe: the run's model, training loader (with its augmentation), validation
/// loader and trainer options become the pruner's plain pieces, so the pruner itself knows nothing of recipes.
/// </summary>
public static class RecipePruning
{
    /// <summary>Prunes <paramref name="run"/>'s model (its weights already loaded) in place; see <see cref="Pruner.Run"/>.</summary>
    /// <exception cref="ArgumentException">The recipe has no validation or test split.</exception>
    public static PruneResult Run(RecipeRun run, PruneOptions options, Action<string>? log = null, IEnumerable<ITrainerCallback>? callbacks = null)
    {
        var validation = run.ValidationLoader ?? throw new ArgumentException("The recipe has no validation or test split to measure the accuracy on.");
        return Pruner.Run(run.Classifier("prune"), run.TrainLoader, validation, run.TrainerOptions, options, log, callbacks);
    }
}
