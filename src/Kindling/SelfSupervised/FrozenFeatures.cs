using Kindling.Data.Loading;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>An encoder's features of a whole split, computed once (eval mode, no gradient) and kept in memory with their labels, on the CPU.</summary>
public sealed class FrozenFeatures : IDisposable
{
    FrozenFeatures(Tensor features, Tensor labels)
    {
        Features = features;
        Labels = labels;
    }

    /// <summary>[M, F] float32.</summary>
    public Tensor Features { get; }

    /// <summary>[M] int64.</summary>
    public Tensor Labels { get; }

    public long Count => Features.shape[0];

    /// <summary>Features L2-normalized along each row (what kNN compares), as a new tensor.</summary>
    public Tensor Normalized() => nn.functional.normalize(Features, p: 2, dim: 1);

    /// <summary>
    /// Runs <paramref name="encoder"/> over <paramref name="batches"/> (labelled) with <paramref name="input"/> preparing each image
    /// batch (device, memory format), and keeps the features and labels. The encoder's mode is restored afterwards. The
    /// batches are disposed as they are read.
    /// </summary>
    /// <exception cref="InvalidOperationException">The data has no labels, or yields no batches.</exception>
    public static FrozenFeatures Extract(nn.Module<Tensor, Tensor> encoder, IEnumerable<Batch> batches, Func<Tensor, Tensor>? input = null)
    {
        bool wasTraining = encoder.training;
        encoder.eval();
        var features = new List<Tensor>();
        var labels = new List<Tensor>();
        try
        {
            using var inference = inference_mode();
            foreach (var batch in batches)
            {
                using (batch)
                using (var scope = NewDisposeScope())
                {
                    if (!batch.HasLabels) throw new InvalidOperationException("frozen features for kNN and linear probes need a labelled split; this data has no labels.");
                    var x = input is null ? batch.Images : input(batch.Images);
                    features.Add(encoder.forward(x).to(float32).cpu().clone().MoveToOuterDisposeScope());
                    labels.Add(batch.Labels.cpu().clone().MoveToOuterDisposeScope());
                }
            }
            if (features.Count == 0) throw new InvalidOperationException("the split yielded no batches: no features to probe.");
            // Concatenated outside inference mode, so the result is an ordinary tensor a later autograd graph may read.
        }
        finally
        {
            if (wasTraining) encoder.train();
        }
        try
        {
            return new FrozenFeatures(cat(features), cat(labels));
        }
        finally
        {
            foreach (var t in features.Concat(labels)) t.Dispose();
        }
    }

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
