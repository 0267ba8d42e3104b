using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Data.Loading.Curriculum;

public class DifficultyScoresTests
{
    // Five 1x1x2 images (two features, pixel / 255) and three classes.
    static readonly byte[] Pixels = [0, 255, 255, 0, 128, 128, 10, 200, 255, 255];
    static readonly int[] Labels = [0, 1, 2, 1, 0];
    static readonly double[,] Weight = { { 1.5, -2.0 }, { -0.5, 1.0 }, { 0.25, 0.75 } };
    static readonly double[] Bias = [0.1, -0.2, 0.3];

    static InMemoryImageDataset Data() => new("tiny", Pixels, Labels, ["a", "b", "c"], new ImageShape(1, 1, 2));

    static nn.Module<Tensor, Tensor> Model()
    {
        var linear = nn.Linear(2, 3);
        using (no_grad())
        {
            linear.weight!.copy_(tensor(new float[] { 1.5f, -2.0f, -0.5f, 1.0f, 0.25f, 0.75f }).reshape(3, 2));
            linear.bias!.copy_(tensor(new float[] { 0.1f, -0.2f, 0.3f }));
        }
        return nn.Sequential(nn.Flatten(), linear);
    }

    /// <summary>Softmax probabilities of sample <paramref name="i"/>, by hand in double.</summary>
    static double[] Probabilities(int i)
    {
        double x0 = Pixels[2 * i] / 255.0, x1 = Pixels[2 * i + 1] / 255.0;
        var logits = Enumerable.Range(0, 3).Select(c => Weight[c, 0] * x0 + Weight[c, 1] * x1 + Bias[c]).ToArray();
        double max = logits.Max();
        var e = logits.Select(z => Math.Exp(z - max)).ToArray();
        return [.. e.Select(v => v / e.Sum())];
    }

    [Fact]
    public void EntropyIsTheSoftmaxEntropy()
    {
        using var model = Model();
        var scores = DifficultyScores.Entropy(model, Data(), batchSize: 2);
        Assert.Equal(5, scores.Length);
        for (int i = 0; i < 5; i++)
            Assert.Equal(-Probabilities(i).Sum(p => p * Math.Log(p)), scores[i], 5);
    }

    [Fact]
    public void LossIsThePerSampleCrossEntropy()
    {
        using var model = Model();
        var scores = DifficultyScores.Loss(model, Data(), batchSize: 3);
        for (int i = 0; i < 5; i++)
            Assert.Equal(-Math.Log(Probabilities(i)[Labels[i]]), scores[i], 5);
        // And the same as PyTorch's cross_entropy(reduction='none') on the whole set at once.
        using var x = tensor(Pixels.Select(p => p / 255f).ToArray()).reshape(5, 1, 1, 2);
        using var y = tensor(Labels.Select(l => (long)l).ToArray());
        using var logits = model.forward(x);
        using var ce = nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.None);
        var expected = ce.data<float>().ToArray();
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i], scores[i], 5);
    }

    [Fact]
    public void TheModelsModeIsRestoredAndTheTransformApplied()
    {
        using var model = Model();
        model.train();
        // Doubling every input gives the scores of a model with doubled weights: not the plain scores.
        var doubled = DifficultyScores.Entropy(model, Data(), new TransformOf((image, _) => image.to(float32) * 2));
        Assert.True(model.training);
        model.eval();
        var plain = DifficultyScores.Entropy(model, Data());
        Assert.False(model.training);
        Assert.NotEqual(plain[0], doubled[0], 3);
    }
}
