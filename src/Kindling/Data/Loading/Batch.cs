using TorchSharp;

namespace Kindling.Data.Loading;

/// <summary>
/// One collated batch: <see cref="Views"/>, one float32 [N,C,H,W] tensor per view of the samples (one
/// contiguous block each; NHWC strides when the loader runs channels-last), <see cref="Images"/> the
/// first of them, and <see cref="Labels"/> int64 [N] when the data set has labels. A loader without a
/// multi-view transform gives one view. The consumer owns the batch: dispose it (or <c>using var batch</c>)
/// to free all its tensors; they belong to no dispose scope.
/// </summary>
public sealed class Batch : IDisposable
{
    readonly torch.Tensor[] views;
    torch.Tensor? labels;
    readonly string? noLabels;

    /// <param name="views">One block per view (at least one); the batch owns them.</param>
    /// <param name="labels">The labels, or null when the data set has none.</param>
    /// <param name="noLabels">Why there are no labels (the message of <see cref="Labels"/>), when <paramref name="labels"/> is null.</param>
    /// <param name="indices">The data set index of each sample.</param>
    /// <param name="number">Position of the batch in its epoch.</param>
    internal Batch(torch.Tensor[] views, torch.Tensor? labels, string? noLabels, int[] indices, int number)
    {
        this.views = views;
        this.labels = labels;
        this.noLabels = noLabels;
        Views = Array.AsReadOnly(views); // a view of the array, so it follows MoveTo
        Indices = indices;
        Number = number;
    }

    /// <summary>Images, float32 [N,C,H,W]: the only view of a single-view batch, the first view of a multi-view one.</summary>
    public torch.Tensor Images => views[0];

    /// <summary>Every view of the samples, in the transform's view order: K tensors [N,C,H,W] (each its own block).</summary>
    public IReadOnlyList<torch.Tensor> Views { get; }

    /// <summary>Whether the data set has labels; when false, <see cref="Labels"/> throws.</summary>
    public bool HasLabels => labels is not null;

    /// <summary>Labels, int64 [N].</summary>
    /// <exception cref="InvalidOperationException">The data set has no labels (<see cref="HasLabels"/> is false).</exception>
    public torch.Tensor Labels => labels ?? throw new InvalidOperationException(noLabels);

    /// <summary>The data set index of each sample, in batch order.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>Position of this batch in its epoch (0-based).</summary>
    public int Number { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Indices.Count;

    /// <summary>Moves every tensor to <paramref name="device"/> (asynchronously when pinned), freeing the originals.</summary>
    internal void MoveTo(torch.Device device, bool nonBlocking)
    {
        if (Images.device == device) return;
        for (int v = 0; v < views.Length; v++) views[v] = views[v].to(device, disposeAfter: true, non_blocking: nonBlocking);
        labels = labels?.to(device, disposeAfter: true, non_blocking: nonBlocking);
    }

    /// <summary>Frees the tensors (every view and the labels).</summary>
    public void Dispose()
    {
        foreach (var view in views) view.Dispose();
        labels?.Dispose();
    }
}
