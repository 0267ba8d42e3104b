using Kindling.SelfSupervised;
using Kindling.Training;
using Kindling.Training.Callbacks;
using static TorchSharp.torch;

namespace Kindling.Reporting;

/// <summary>
/// Draws plots/reconstruction.png after every epoch and at the end of training: for a few fixed images, the input as a
/// reconstructing task saw it (hidden parts blank), its reconstruction and the original, in three labelled rows. The masks
/// are drawn from a fixed seed, so epochs compare; report.md embeds the picture with the other plots.
/// </summary>
public sealed class ReconstructionPreviewCallback : ITrainerCallback, IDisposable
{
    /// <summary>The picture's file name in plots/.</summary>
    public const string FileName = "reconstruction.png";

    readonly IReconstructionPreview task;
    readonly Tensor images;
    readonly IReadOnlyList<double>? mean, std;
    readonly long seed;

    /// <param name="task">The task that reconstructs.</param>
    /// <param name="images">The images to show [N, C, H, W], in the training batches' space (kept on the CPU; the callback owns them).</param>
    /// <param name="plotsDir">The run's plots/ folder.</param>
    /// <param name="mean">The normalization's per-channel mean, to undo for drawing; null: none.</param>
    /// <param name="std">The normalization's per-channel standard deviation.</param>
    /// <param name="seed">Seeds the masks.</param>
    public ReconstructionPreviewCallback(IReconstructionPreview task, Tensor images, string plotsDir, IReadOnlyList<double>? mean, IReadOnlyList<double>? std, long seed = 0)
    {
        this.task = task;
        this.images = images.detach().cpu().to(float32);
        this.mean = mean;
        this.std = std;
        this.seed = seed;
        PicturePath = Path.Combine(plotsDir, FileName);
    }

    /// <summary>Where the picture goes.</summary>
    public string PicturePath { get; }

    /// <inheritdoc/>
    public void OnEpochEnd(TrainerState state, EpochMetrics metrics) => Draw();

    /// <inheritdoc/>
    public void OnFitEnd(TrainerState state, FitResult result) => Draw();

    /// <summary>Writes the picture now.</summary>
    public void Draw()
    {
        using var scope = NewDisposeScope();
        var (masked, reconstruction, original) = task.Reconstruct(images, seed);
        ImageRowsGrid.Save([("masked input", masked), ("reconstruction", reconstruction), ("original", original)], mean, std, PicturePath);
    }

    /// <inheritdoc/>
    public void Dispose() => images.Dispose();
}
