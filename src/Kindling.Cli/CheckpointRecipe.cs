using Kindling.Config;
using Kindling.Training;

namespace Kindling.Cli;

/// <summary>The eval side of the run a checkpoint came from, rebuilt from the resolved recipe stored in it, with its weights loaded.</summary>
static class CheckpointRecipe
{
    public static (Recipe Recipe, EvalPipeline Pipeline) Load(string checkpoint)
    {
        var meta = TrainingCheckpoint.ReadMeta(checkpoint);
        var yaml = (string?)meta["config"]
            ?? throw new InvalidDataException($"{checkpoint} carries no recipe (it was not written by `kindling train`); evaluate it from C# with the model it was trained with.");
        var recipe = Recipe.Parse(yaml, source: $"{checkpoint} (stored recipe)");
        var pipeline = RecipeBuilder.BuildEval(recipe);
        TrainingCheckpoint.LoadModel(checkpoint, pipeline.Model);
        return (recipe, pipeline);
    }
}
