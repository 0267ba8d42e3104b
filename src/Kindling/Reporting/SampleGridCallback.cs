using Kindling.Generative;
using Kindling.Training;
using Kindling.Training.Callbacks;

namespace Kindling.Reporting;

/// <summary>
/// Sample grids of a generative task (any <see cref="IImageGenerator"/>) as training goes: plots/samples-epoch-NNN.png after
/// every epoch and plots/samples.png at the end, drawn from the same seed so epochs compare (a conditional generator: one
/// row per class), and the same pictures as TensorBoard images under the tag "samples" (an event file of its own,
/// suffix "samples", beside the scalars). A run that keeps a running average of its weights (training.ema) is drawn from the
/// average, as `kindling sample` and `kindling fid` draw it, so the grids show the model its numbers describe.
/// <see cref="ReportWriter"/> embeds samples.png in report.md.
/// </summary>
public sealed class SampleGridCallback : ITrainerCallback
{
    readonly IImageGenerator generator;
    readonly string plotsDir;
    readonly IReadOnlyList<double> mean, std;
    readonly TorchSharp.Modules.SummaryWriter? writer;

    /// <param name="generator">The task being trained.</param>
    /// <param name="plotsDir">The run's plots/ folder.</param>
    /// <param name="mean">The recipe's normalize mean (undone for pixels).</param>
    /// <param name="std">The recipe's normalize std.</param>
    /// <param name="tensorBoardDir">The run's tensorboard/ folder; null: no TensorBoard images.</param>
    public SampleGridCallback(IImageGenerator generator, string plotsDir, IReadOnlyList<double> mean, IReadOnlyList<double> std, string? tensorBoardDir = null)
    {
        this.generator = generator;
        this.plotsDir = plotsDir;
        this.mean = mean;
        this.std = std;
        if (tensorBoardDir is not null) writer = TorchSharp.torch.utils.tensorboard.SummaryWriter(tensorBoardDir, filename_suffix: "samples");
    }

    /// <summary>Images in a grid (a conditional generator: per class, <see cref="Count"/> / classes rounded up).</summary>
    public int Count { get; init; } = 64;

    /// <summary>The sampling seed, the same every epoch.</summary>
    public long Seed { get; init; }

    /// <summary>Sampling steps for models with a choice (DDIM); null: the model's default.</summary>
    public int? Steps { get; init; }

    /// <summary>The grid after the end of training.</summary>
    public string FinalPath => Path.Combine(plotsDir, "samples.png");

    /// <summary>The grid after <paramref name="epoch"/>.</summary>
    public string EpochPath(int epoch) => Path.Combine(plotsDir, $"samples-epoch-{epoch:D3}.png");

    /// <inheritdoc/>
    public void OnEpochEnd(TrainerState state, EpochMetrics metrics)
    {
        var path = Write(state, EpochPath(metrics.Epoch));
        writer?.add_img("samples", path, metrics.Epoch);
    }

    /// <inheritdoc/>
    public void OnFitEnd(TrainerState state, FitResult result) => Write(state, FinalPath);

    string Write(TrainerState state, string path)
    {
        using var averaged = state.AveragedWeights?.Invoke();
        int count = generator.ConditionalClasses > 0 ? Math.Max(Count, generator.ConditionalClasses) : Count;
        var (pixels, nrow) = GeneratorGrid.Sample(generator, count, new GenerationOptions { Seed = Seed, Steps = Steps }, mean, std);
        using (pixels) return ImageGrid.Save(pixels, path, nrow);
    }
}
