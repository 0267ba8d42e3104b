using Kindling.Config.Runs;
using Kindling.Training;

namespace Kindling.Config;

/// <summary>
/// A checkpoint's model rebuilt from the recipe stored in it, with its weights loaded: what eval,
/// predict, export and a distillation teacher start from.
/// </summary>
public static class CheckpointModel
{
    /// <summary>The checkpoint's resolved recipe and its eval pipeline, the model's weights loaded.</summary>
    /// <param name="checkpoint">A checkpoint written by the Trainer (or by import).</param>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, or carries no recipe.</exception>
    public static (Recipe Recipe, EvalPipeline Pipeline) Load(string checkpoint)
    {
        var meta = TrainingCheckpoint.ReadMeta(checkpoint);
        var yaml = (string?)meta["config"]
            ?? throw new InvalidDataException($"{checkpoint} carries no recipe (it was not written by `kindling train`); load it from C# into the model it was trained with.");
        var recipe = Recipe.Parse(yaml, source: $"{checkpoint} (stored recipe)");
        var pipeline = RecipeBuilder.BuildEval(recipe);
        TrainingCheckpoint.LoadModel(checkpoint, pipeline.Model);
        return (recipe, pipeline);
    }
}
