using Kindling.Data.Datasets;
using Kindling.Data.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Data.Loading;

/// <summary>
/// Per-sample difficulty (higher is harder) from a scoring model, for <see cref="CurriculumSampler"/>:
/// the entropy of its softmax prediction (the seed's <c>compute_difficulty</c>) or its cross-entropy
/// loss on the label. A pretrained teacher as the model gives "difficulty by a teacher". The model
/// runs in eval mode under inference mode, batch by batch through a <see cref="DataLoader"/> in data
/// set order, on the device its parameters are on; its train/eval mode is restored afterwards.
/// </summary>
public static class DifficultyScores
{
    /// <summary>Entropy, in nats, of the model's softmax prediction for each sample: uncertain samples are hard.</summary>
    /// <param name="model">Maps [N,C,H,W] float images to [N,classes] logits.</param>
    /// <param name="dataset">The samples to score, one score each in data set order.</param>
    /// <param name="transform">The evaluation transform the model expects (e.g. normalisation); null feeds the images scaled to [0,1].</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    public static double[] Entropy(nn.Module<Tensor, Tensor> model, IImageDataset dataset, ISampleTransform? transform = null, int batchSize = 256) =>
        Score(model, dataset, transform, batchSize, static (logits, _) =>
        {
            // From log_softmax rather than log(softmax + eps): exact, and no log(0) for confident predictions.
            var logp = nn.functional.log_softmax(logits, 1);
            return -(logp.exp() * logp).sum(1);
        });

    /// <summary>Cross-entropy loss of each sample on its label (PyTorch's <c>cross_entropy(reduction='none')</c>): wrongly or weakly predicted samples are hard.</summary>
    /// <inheritdoc cref="Entropy" path="/param"/>
    public static double[] Loss(nn.Module<Tensor, Tensor> model, IImageDataset dataset, ISampleTransform? transform = null, int batchSize = 256) =>
        Score(model, dataset, transform, batchSize, static (logits, labels) => nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None));

    static double[] Score(nn.Module<Tensor, Tensor> model, IImageDataset dataset, ISampleTransform? transform, int batchSize, Func<Tensor, Tensor, Tensor> perSample)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch_size must be positive.");
        var device = model.parameters().FirstOrDefault()?.device;
        // Seeded so that a random transform, if given, scores the same on every call.
        var options = new DataLoaderOptions { BatchSize = batchSize, Seed = 0, Device = device };
        var scores = new double[dataset.Count];
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var loader = new DataLoader(dataset, options, transform);
            using var inference = inference_mode();
            int offset = 0;
            foreach (var batch in loader)
            {
                using var scope = NewDisposeScope();
                using (batch)
                {
                    var logits = model.forward(batch.Images);
                    if (logits.dim() != 2 || logits.shape[0] != batch.Count)
                        throw new InvalidOperationException($"the scoring model gave logits of shape [{string.Join(",", logits.shape)}] for a batch of {batch.Count}; expected [{batch.Count}, classes].");
                    // Double precision so that the scores rank as finely as the model can tell them apart.
                    var values = perSample(logits.to(float64), batch.Labels).cpu();
                    values.data<double>().CopyTo(scores, offset);
                    offset += batch.Count;
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return scores;
    }
}
