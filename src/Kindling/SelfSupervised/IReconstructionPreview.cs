using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>
/// A task that reconstructs hidden parts of its input (a masked autoencoder): what the run's reconstruction picture
/// (Reporting's <c>ReconstructionPreviewCallback</c>, plots/reconstruction.png) reads, whatever the method.
/// </summary>
public interface IReconstructionPreview
{
    /// <summary>
    /// Reconstructs <paramref name="images"/> [N, C, H, W] (on the CPU, in the space of the training batches: normalized),
    /// without gradients, in eval mode (the modules' mode is put back after). The masking is drawn from
    /// <paramref name="seed"/>, so the same seed shows the same masks every epoch.
    /// </summary>
    /// <returns>Three CPU float tensors shaped like <paramref name="images"/>, in the same space: the input as the model
    /// saw it (hidden parts set to 0), the reconstruction (visible parts as given, hidden parts predicted) and the original.</returns>
    (Tensor Masked, Tensor Reconstruction, Tensor Original) Reconstruct(Tensor images, long seed);
}
