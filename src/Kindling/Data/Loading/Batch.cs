using TorchSharp;

namespace Kindling.Data.Loading;

/// <summary>
/// One collated batch: <see cref="Images"/> float32 [N,C,H,W] (one contiguous block; NHWC strides
/// when the loader runs channels-last) and <see cref="Labels"/> int64 [N]. The consumer owns it:
/// dispose it (or <c>using var batch</c>) to free its tensors; they belong to no dispose scope.
/// </summary>
public sealed class Batch : IDisposable
{
    internal Batch(torch.Tensor images, torch.Tensor labels, int[] indices, int number)
    {
        Images = images;
        Labels = labels;
        Indices = indices;
        Number = number;
    }

    /// <summary>Images, float32 [N,C,H,W].</summary>
    public torch.Tensor Images { get; private set; }

    /// <summary>Labels, int64 [N].</summary>
    public torch.Tensor Labels { get; private set; }

    /// <summary>The data set index of each sample, in batch order.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>Position of this batch in its epoch (0-based).</summary>
    public int Number { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Indices.Count;

    /// <summary>Moves both tensors to <paramref name="device"/> (asynchronously when pinned), freeing the originals.</summary>
    internal void MoveTo(torch.Device device, bool nonBlocking)
    {
        if (Images.device == device) return;
        Images = Images.to(device, disposeAfter: true, non_blocking: nonBlocking);
        Labels = Labels.to(device, disposeAfter: true, non_blocking: nonBlocking);
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
