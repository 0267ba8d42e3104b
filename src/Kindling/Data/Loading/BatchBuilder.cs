using Kindling.Data.Datasets;
using Kindling.Data.Transforms;
using TorchSharp;

namespace Kindling.Data.Loading;

/// <summary>
/// Reads, transforms and collates one batch; the same code runs on a worker or the consuming thread,
/// so results do not depend on which one ran it.
/// </summary>
internal sealed class BatchBuilder
{
    readonly IImageDataset dataset;
    readonly ISampleTransform? transform;
    readonly IMultiViewTransform? multiView;
    readonly long seed;
    readonly bool channelsLast;
    readonly bool pin;
    readonly string? noLabels;

    public BatchBuilder(IImageDataset dataset, ISampleTransform? transform, long seed, bool channelsLast, bool pin)
    {
        this.dataset = dataset;
        this.transform = transform;
        multiView = transform as IMultiViewTransform;
        ViewCount = multiView?.ViewCount ?? 1;
        if (ViewCount < 1)
            throw new ArgumentException($"multi-view transform {transform!.GetType().Name} makes {ViewCount} views; it must make at least one.", nameof(transform));
        this.seed = seed;
        this.channelsLast = channelsLast;
        this.pin = pin;
        // Read once: a data set is labelled or not for its whole life, and batches only need the message.
        noLabels = dataset.HasLabels ? null : UnlabelledDataset.NoLabelsMessage(dataset.Name);
    }

    /// <summary>Views collated per sample: the multi-view transform's count, else one.</summary>
    public int ViewCount { get; }

    /// <summary>
    /// Builds batch <paramref name="number"/> of <paramref name="epoch"/> from <paramref name="indices"/>,
    /// whose first sample is at <paramref name="firstPosition"/> in the epoch. The returned tensors belong to no dispose scope.
    /// </summary>
    public Batch Build(int[] indices, int number, int firstPosition, int epoch, CancellationToken cancel)
    {
        using var scope = torch.NewDisposeScope();
        var shape = dataset.Shape;
        var labels = noLabels is null ? new long[indices.Length] : null;
        var views = new torch.Tensor?[ViewCount];
        var first = new long[ViewCount][];
        var fromUint8 = new bool[ViewCount][];
        for (int v = 0; v < ViewCount; v++) fromUint8[v] = new bool[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            cancel.ThrowIfCancellationRequested();
            int index = indices[k];
            try
            {
                using var sampleScope = torch.NewDisposeScope();
                var image = torch.empty([shape.Channels, shape.Height, shape.Width], torch.uint8);
                int label = dataset.CopyImage(index, image.bytes, PixelLayout.Chw);
                if (labels is not null) labels[k] = label;
                for (int v = 0; v < ViewCount; v++)
                {
                    var result = Transform(image, v, epoch, firstPosition + k, index);
                    if (views[v] is null)
                    {
                        first[v] = result.shape;
                        if (first[v].Length != 3)
                            throw new DataLoaderException($"sample {index} came out of the transform{OfView(v)} with shape {Show(first[v])}; expected an image [C,H,W].", index);
                        views[v] = Allocate(indices.Length, first[v]).MoveToOuterDisposeScope();
                    }
                    else if (!result.shape.AsSpan().SequenceEqual(first[v]))
                    {
                        throw new DataLoaderException(
                            $"samples of batch {number} (epoch {epoch}) have different shapes{OfView(v)}: sample {index} came out as {Show(result.shape)} but sample {indices[0]} as {Show(first[v])}. " +
                            "Every sample of a batch must have the same shape: end the transform with a fixed-size crop or resize.", index);
                    }
                    views[v]![k].copy_(result);
                    fromUint8[v][k] = result.dtype == torch.uint8;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException and not DataLoaderException)
            {
                throw new DataLoaderException(
                    $"sample {index} (position {k} of batch {number}, epoch {epoch}) of {dataset.Name} failed: {e.Message}", index, e);
            }
        }
        var blocks = new torch.Tensor[ViewCount];
        for (int v = 0; v < ViewCount; v++)
        {
            ScaleUint8(views[v]!, fromUint8[v]);
            blocks[v] = (pin ? views[v]!.pin_memory() : views[v]!).DetachFromDisposeScope();
        }
        torch.Tensor? labelTensor = null;
        if (labels is not null)
        {
            labelTensor = torch.tensor(labels);
            if (pin) labelTensor = labelTensor.pin_memory();
            labelTensor.DetachFromDisposeScope();
        }
        return new Batch(blocks, labelTensor, noLabels, indices, number);
    }

    /// <summary>
    /// View <paramref name="view"/> of one sample. A plain transform gets the sample's generator; a multi-view
    /// transform gets one generator per view and, for every view but the last, its own copy of the image
    /// (so a transform working in place cannot change what the next view sees).
    /// </summary>
    torch.Tensor Transform(torch.Tensor image, int view, int epoch, int position, int index)
    {
        if (transform is null) return image;
        if (multiView is null) return transform.Apply(image, new Random(SamplerSeeds.ForSample(seed, epoch, position, index)));
        var input = view < ViewCount - 1 ? image.clone() : image;
        return multiView.ApplyView(view, input, new Random(SamplerSeeds.ForSample(seed, epoch, position, index, view)));
    }

    string OfView(int view) => ViewCount == 1 ? "" : $" (view {view})";

    /// <summary>
    /// ToTensor's uint8 to [0,1] (a division, as PyTorch's, not a multiplication). In one op when
    /// every sample was uint8 and this thread runs ops single-threaded (a worker); otherwise per
    /// sample, below libtorch's grain size, so the consuming thread's OpenMP team is not woken for
    /// loader work (on a busy machine that costs more than it gains).
    /// </summary>
    static void ScaleUint8(torch.Tensor images, bool[] fromUint8)
    {
        if (Array.TrueForAll(fromUint8, u => u) && torch.get_num_threads() == 1)
        {
            images.div_(255);
            return;
        }
        for (int k = 0; k < fromUint8.Length; k++)
            if (fromUint8[k])
                using (var slot = images[k])
                    slot.div_(255);
    }

    /// <summary>One float32 block [n,C,H,W]; channels-last is built NHWC-contiguous and viewed as NCHW.</summary>
    torch.Tensor Allocate(int n, long[] chw) => channelsLast
        ? torch.empty([n, chw[1], chw[2], chw[0]], torch.float32).permute(0, 3, 1, 2)
        : torch.empty([n, chw[0], chw[1], chw[2]], torch.float32);

    static string Show(long[] shape) => $"[{string.Join(",", shape)}]";
}
