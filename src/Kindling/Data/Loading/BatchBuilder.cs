using Kindling.Data.Datasets;
using Kindling.Data.Transforms;
using TorchSharp;

namespace Kindling.Data.Loading;

/// <summary>
/// Reads, transforms and collates one batch; the same code runs on a worker or the consuming thread,
/// so results do not depend on which one ran it.
/// </summary>
internal sealed class BatchBuilder(IImageDataset dataset, ISampleTransform? transform, long seed, bool channelsLast, bool pin)
{
    /// <summary>
    /// Builds batch <paramref name="number"/> of <paramref name="epoch"/> from <paramref name="indices"/>,
    /// whose first sample is at <paramref name="firstPosition"/> in the epoch. The returned tensors belong to no dispose scope.
    /// </summary>
    public Batch Build(int[] indices, int number, int firstPosition, int epoch, CancellationToken cancel)
    {
        using var scope = torch.NewDisposeScope();
        var shape = dataset.Shape;
        var labels = new long[indices.Length];
        var fromUint8 = new bool[indices.Length];
        torch.Tensor? images = null;
        long[] first = [];
        for (int k = 0; k < indices.Length; k++)
        {
            cancel.ThrowIfCancellationRequested();
            int index = indices[k];
            try
            {
                using var sampleScope = torch.NewDisposeScope();
                var image = torch.empty([shape.Channels, shape.Height, shape.Width], torch.uint8);
                labels[k] = dataset.CopyImage(index, image.bytes, PixelLayout.Chw);
                var result = transform is null ? image : transform.Apply(image, SampleRandom(epoch, firstPosition + k, index));
                if (images is null)
                {
                    first = result.shape;
                    if (first.Length != 3)
                        throw new DataLoaderException($"sample {index} came out of the transform with shape {Show(first)}; expected an image [C,H,W].", index);
                    images = Allocate(indices.Length, first).MoveToOuterDisposeScope();
                }
                else if (!result.shape.AsSpan().SequenceEqual(first))
                {
                    throw new DataLoaderException(
                        $"samples of batch {number} (epoch {epoch}) have different shapes: sample {index} came out as {Show(result.shape)} but sample {indices[0]} as {Show(first)}. " +
                        "Every sample of a batch must have the same shape: end the transform with a fixed-size crop or resize.", index);
                }
                images[k].copy_(result);
                fromUint8[k] = result.dtype == torch.uint8;
            }
            catch (Exception e) when (e is not OperationCanceledException and not DataLoaderException)
            {
                throw new DataLoaderException(
                    $"sample {index} (position {k} of batch {number}, epoch {epoch}) of {dataset.Name} failed: {e.Message}", index, e);
            }
        }
        ScaleUint8(images!, fromUint8);
        var labelTensor = torch.tensor(labels);
        if (pin)
        {
            images = images!.pin_memory();
            labelTensor = labelTensor.pin_memory();
        }
        return new Batch(images!.DetachFromDisposeScope(), labelTensor.DetachFromDisposeScope(), indices, number);
    }

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

    /// <summary>The generator of one sample: a function of (seed, epoch, position in the epoch, data set index) only.</summary>
    Random SampleRandom(int epoch, int position, int index) => new(SamplerSeeds.Mix(seed, epoch, position, index));

    /// <summary>One float32 block [n,C,H,W]; channels-last is built NHWC-contiguous and viewed as NCHW.</summary>
    torch.Tensor Allocate(int n, long[] chw) => channelsLast
        ? torch.empty([n, chw[1], chw[2], chw[0]], torch.float32).permute(0, 3, 1, 2)
        : torch.empty([n, chw[0], chw[1], chw[2]], torch.float32);

    static string Show(long[] shape) => $"[{string.Join(",", shape)}]";
}
