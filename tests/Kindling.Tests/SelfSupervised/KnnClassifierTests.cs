using Kindling.Runtime;
using Kindling.SelfSupervised;
using static TorchSharp.torch;

namespace Kindling.Tests.SelfSupervised;

/// <summary>The weighted kNN against a case computed by hand.</summary>
public class KnnClassifierTests
{
    public KnnClassifierTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void TheVotesAreTheNeighboursExponentiatedSimilaritiesSummedPerClass()
    {
        // Bank: unit vectors at angles 0, 60, 90 and 180 degrees, classes 0, 1, 1, 0. Query: angle 0.
        // Similarities 1, 0.5, 0, -1. With k 3 (the three nearest: 1, 0.5, 0) and T 0.5:
        // class 0: exp(1/0.5) = e^2 = 7.389; class 1: exp(0.5/0.5) + exp(0/0.5) = e + 1 = 3.718.
        using var bank = tensor(new float[] { 1, 0, 0.5f, MathF.Sqrt(3) / 2, 0, 1, -1, 0 }, 4, 2);
        using var labels = tensor(new long[] { 0, 1, 1, 0 });
        using var query = tensor(new float[] { 1, 0 }, 1, 2);
        var knn = new KnnClassifier(k: 3, temperature: 0.5);
        using var scores = knn.Scores(bank, labels, query, classes: 2);
        Assert.Equal(Math.Exp(2), scores[0, 0].item<float>(), 4);
        Assert.Equal(Math.E + 1, scores[0, 1].item<float>(), 4);
        // A sharper temperature does not change this vote; a flatter one with all four neighbours does: the far class-0
        // point adds exp(-1/T) and the near class-1 pair can win. With k 4, T 10: class 0 e^0.1 + e^-0.1 = 2.0100,
        // class 1 e^0.05 + e^0 = 2.0513.
        var flat = new KnnClassifier(k: 4, temperature: 10);
        using var flatScores = flat.Scores(bank, labels, query, 2);
        Assert.Equal(Math.Exp(0.1) + Math.Exp(-0.1), flatScores[0, 0].item<float>(), 4);
        Assert.Equal(Math.Exp(0.05) + 1, flatScores[0, 1].item<float>(), 4);
        using var predicted = flat.Predict(bank, labels, query, 2);
        Assert.Equal(1L, predicted[0].item<long>());
        Assert.Equal(1.0, knn.Accuracy(bank, labels, query, tensor(new long[] { 0 }), 2));
        // k larger than the bank: every bank point votes.
        var wide = new KnnClassifier(k: 200, temperature: 10);
        using var wideScores = wide.Scores(bank, labels, query, 2);
        Assert.True(wideScores.allclose(flatScores));
    }

    [Fact]
    public void PredictionsInChunksEqualOnePass()
    {
        using var bank = nn.functional.normalize(randn(50, 8, generator: new TorchSharp.torch.Generator().manual_seed(1)), p: 2, dim: 1);
        using var labels = randint(0, 4, [50], generator: new TorchSharp.torch.Generator().manual_seed(2));
        using var queries = nn.functional.normalize(randn(13, 8, generator: new TorchSharp.torch.Generator().manual_seed(3)), p: 2, dim: 1);
        var knn = new KnnClassifier(10, 0.1);
        using var all = knn.Predict(bank, labels, queries, 4);
        using var chunked = knn.Predict(bank, labels, queries, 4, chunk: 5);
        Assert.True(all.equal(chunked).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new KnnClassifier(0));
        Assert.Throws<ArgumentException>(() => knn.Scores(bank, labels.narrow(0, 0, 10), queries, 4));
    }
}
