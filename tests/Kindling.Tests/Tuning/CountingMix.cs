using Kindling.Data.BatchMix;
using TorchSharp;

namespace Kindling.Tests.Tuning;

/// <summary>A batch mix that counts the batches it mixed.</summary>
sealed class CountingMix(IBatchMix inner) : IBatchMix
{
    public int Calls { get; private set; }

    public MixedBatch Apply(torch.Tensor images, torch.Tensor labels, Random rng)
    {
        Calls++;
        return inner.Apply(images, labels, rng);
    }
}
