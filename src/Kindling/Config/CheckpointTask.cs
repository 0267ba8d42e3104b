using Kindling.Config.Runs;
using Kindling.Training;
using Kindling.Training.Tasks;

namespace Kindling.Config;

/// <summary>
/// A checkpoint's task rebuilt from the recipe stored in it, without opening the data, with its weights and its own state loaded:
/// what <c>kindling sample</c>, <c>fid</c> and <c>probe</c> start from (a classifier's eval side is <see cref="CheckpointModel"/>).
/// </summary>
public static class CheckpointTask
{
    /// <summary>
    /// Puts the checkpoint's exponential moving average of the weights (training.ema) into <paramref name="task"/>'s parameters, as
    /// generative models are sampled from (a DDPM's averaged weights give better samples than its last ones). Returns false,
    /// changing nothing, when the run kept no average.
    /// </summary>
    public static bool LoadAveragedWeights(string checkpoint, TrainingTask task)
    {
        var sections = CheckpointFile.Read(checkpoint);
        if (!sections.TryGetValue("ema", out var bytes)) return false;
        var averaged = NamedTensors.FromBytes(bytes);
        try
        {
            using var _ = TorchSharp.torch.no_grad();
            foreach (var (name, parameter) in task.Network.named_parameters())
            {
                if (!averaged.TryGetValue(name, out var value))
                    throw new InvalidDataException($"{checkpoint}'s averaged weights have no '{name}': they were saved for another model.");
                parameter.copy_(value);
            }
            return true;
        }
        finally
        {
            foreach (var t in averaged.Values) t.Dispose();
        }
    }

    /// <summary>The checkpoint's resolved recipe and its task (every module on the CPU, in eval mode). The caller disposes the task.</summary>
    /// <param name="checkpoint">A checkpoint written by <c>kindling train</c>.</param>
    /// <param name="task">When given, the task the checkpoint must hold (e.g. "vae"); any other is refused with a clear message.</param>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, carries no recipe, or holds another task than <paramref name="task"/>.</exception>
    public static (Recipe Recipe, TrainingTask Task) Load(string checkpoint, params string[] task)
    {
        var meta = TrainingCheckpoint.ReadMeta(checkpoint);
        var yaml = (string?)meta["config"]
            ?? throw new InvalidDataException($"{checkpoint} carries no recipe (it was not written by `kindling train`); load it from C# into the task it was trained with.");
        var recipe = Recipe.Parse(yaml, source: $"{checkpoint} (stored recipe)");
        if (task.Length > 0 && !task.Contains(recipe.Task))
            throw new InvalidDataException($"{checkpoint} holds a {recipe.Task} model; expected a checkpoint of task {string.Join(" or ", task)}.");
        if (!IsResolved(recipe))
            throw new InvalidDataException($"{checkpoint}'s stored recipe is not resolved (data.classes, model.in_channels or model.input_size missing); it was not written by `kindling train`.");
        var built = Initial(recipe);
        try
        {
            TrainingCheckpoint.LoadTask(checkpoint, built);
            return (recipe, built);
        }
        catch
        {
            built.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The task of a resolved recipe (a checkpoint's) at the weights its run started from, in eval mode: every network created
    /// with training.seed, as <c>kindling train</c> created it, without opening the data. What the probe's random encoder is: the
    /// same architecture, untrained. The caller disposes the task.
    /// </summary>
    /// <exception cref="ArgumentException">The recipe is not resolved (its data's classes and shape are not written in).</exception>
    public static TrainingTask Initial(Recipe recipe)
    {
        if (!IsResolved(recipe))
            throw new ArgumentException("the recipe is not resolved (data.classes, model.in_channels or model.input_size missing): give a checkpoint's stored recipe.", nameof(recipe));
        var entry = TaskCatalog.Find(recipe.Task)!;
        var model = entry.Model == TaskModel.Own ? null : RecipeBuilder.CreateModel(recipe);
        try
        {
            // A distillation teacher only shapes training: the student is a classifier on its own.
            var task = entry.Create(new TaskParts(recipe with { Distillation = new() }, model, recipe.Data.Classes!, null, recipe.ToTrainerOptions()));
            task.Network.eval();
            return task;
        }
        catch
        {
            model?.Dispose();
            throw;
        }
    }

    /// <summary>Whether the data's classes and shape are written in, as <c>kindling train</c> writes them into a checkpoint's recipe.</summary>
    static bool IsResolved(Recipe recipe) => recipe.Data.Classes is not null && recipe.Model.InChannels is not null && recipe.Model.InputSize is not null;
}
