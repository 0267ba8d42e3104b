using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// Several views of each sample, each through its own pipeline, or one pipeline several times with
/// independent random draws (SimCLR: two views of the same strong augmentation). The loader seeds each
/// view's generator separately from (seed, epoch, position, sample, view), so two views of one sample
/// differ, and view v is what a single-view loader would give with view v's pipeline and generator.
/// </summary>
/// <example><code>
/// var strong = new Compose(new RandomResizedCrop(32), new RandomHorizontalFlip(), new ToTensor());
/// using var loader = new DataLoader(train, options, new MultiView(strong, views: 2));
/// foreach (var batch in loader)
///     using (batch) { var (a, b) = (batch.Views[0], batch.Views[1]); /* [N,3,32,32] each */ }
/// </code></example>
public sealed class MultiView : IMultiViewTransform
{
    readonly ISampleTransform[] pipelines;

    /// <summary>One view per pipeline, view v through <paramref name="pipelines"/>[v].</summary>
    /// <param name="pipelines">The pipelines, at least one.</param>
    public MultiView(params ISampleTransform[] pipelines)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        if (pipelines.Length == 0) throw new ArgumentException("a multi-view transform needs at least one pipeline (one per view).", nameof(pipelines));
        for (int v = 0; v < pipelines.Length; v++)
            if (pipelines[v] is null) throw new ArgumentNullException(nameof(pipelines), $"the pipeline of view {v} is null.");
        this.pipelines = pipelines;
    }

    /// <summary><paramref name="views"/> views through the same pipeline, each with its own random draws.</summary>
    /// <param name="pipeline">The pipeline every view goes through.</param>
    /// <param name="views">How many views (at least one; SimCLR and MoCo use two).</param>
    public MultiView(ISampleTransform pipeline, int views)
        : this(Repeat(pipeline, views))
    {
    }

    /// <summary>The pipeline of each view, in view order.</summary>
    public IReadOnlyList<ISampleTransform> Pipelines => pipelines;

    /// <inheritdoc/>
    public int ViewCount => pipelines.Length;

    /// <inheritdoc/>
    public torch.Tensor ApplyView(int view, torch.Tensor image, Random rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(view);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(view, pipelines.Length);
        return pipelines[view].Apply(image, rng);
    }

    /// <summary>The first view.</summary>
    public torch.Tensor Apply(torch.Tensor image, Random rng) => ApplyView(0, image, rng);

    static ISampleTransform[] Repeat(ISampleTransform pipeline, int views)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (views < 1) throw new ArgumentOutOfRangeException(nameof(views), $"a multi-view transform makes at least one view; got {views}.");
        return Enumerable.Repeat(pipeline, views).ToArray();
    }
}
