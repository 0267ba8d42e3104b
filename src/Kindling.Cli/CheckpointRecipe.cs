using Kindling.Config;

namespace Kindling.Cli;

/// <summary>A checkpoint's stored recipe and eval pipeline with the weights loaded (see <see cref="CheckpointModel"/>).</summary>
static class CheckpointRecipe
{
    public static (Recipe Recipe, EvalPipeline Pipeline) Load(string checkpoint) => CheckpointModel.Load(checkpoint);
}
