using Kindling.Generative.Diffusion;
using Kindling.Generative.PixelCnn;
using Kindling.Training.Tasks;

namespace Kindling.Config.Runs;

/// <summary>How the catalog builds the PixelCNN and diffusion tasks from a recipe's own section and the data's shape.</summary>
internal static class GenerativeTaskParts
{
    public static TrainingTask PixelCnn(TaskParts p)
    {
        var (mean, std) = Normalization(p);
        return new PixelCnnTask(new PixelCnnNetwork(p.Shape.Channels, p.Recipe.PixelCnn), p.Shape, mean, std);
    }

    public static TrainingTask Diffusion(TaskParts p)
    {
        var d = p.Recipe.Diffusion;
        int factor = 1 << (d.ChannelMultipliers.Count - 1);
        if (p.Shape.Height % factor != 0 || p.Shape.Width % factor != 0)
            throw new RecipeException("recipe", [$"diffusion.channel_multipliers: {d.ChannelMultipliers.Count} levels halve the image {d.ChannelMultipliers.Count - 1} times, so its side must be a multiple of {factor}, but the data's images are {p.Shape}; use fewer levels (e.g. [1, 2, 2] for 28x28) or resize the data."]);
        var (mean, std) = Normalization(p);
        return new DiffusionTask(new DiffusionUNet(p.Shape.Channels, d.Timesteps, d.ToUNetOptions()), d.ToSchedule(), p.Shape, mean, std, d.ToSampling());
    }

    // The resolved recipe's normalize statistics: the space the batches (and the samples) are in.
    static (IReadOnlyList<double> Mean, IReadOnlyList<double> Std) Normalization(TaskParts p)
    {
        var d = p.Recipe.Data;
        if (d.Mean.IsAuto || d.Std.IsAuto)
            throw new InvalidOperationException($"the {p.Recipe.Task} task needs the resolved normalize statistics (data.mean, data.std); build it from a resolved recipe.");
        return (d.Mean.Values, d.Std.Values);
    }
}
