using System.Text.Json;
using Kindling.Losses;
using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Tests.Losses;

/// <summary>Losses equal PyTorch's on the same inputs (Oracle/make_loss_fixtures.py).</summary>
public class LossFixtureTests
{
    readonly JsonElement root;

    public LossFixtureTests()
    {
        TorchRuntime.EnsureLoaded();
        root = OracleFixtures.Json("losses/losses.json").RootElement;
    }

    Tensor Matrix(string key) => tensor(root.GetProperty(key).EnumerateArray()
        .Select(r => r.EnumerateArray().Select(x => x.GetDouble()).ToArray()).SelectMany(r => r).ToArray(),
        new long[] { root.GetProperty(key).GetArrayLength(), root.GetProperty(key)[0].GetArrayLength() }, float64);

    Tensor Labels(string key) => tensor(root.GetProperty(key).EnumerateArray().Select(x => x.GetInt64()).ToArray());

    double Expected(string key) => root.GetProperty("expected").GetProperty(key).GetDouble();

    static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-10 * Math.Max(1, Math.Abs(expected)), $"{what}: PyTorch {expected:R}, Kindling {actual:R}");

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.3)]
    public void CrossEntropyWithLabelSmoothing(double eps) => CrossEntropyMatches("ce", eps, null);

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.3)]
    public void CrossEntropyWithClassWeightsAndLabelSmoothing(double eps) =>
        CrossEntropyMatches("ce_w", eps, root.GetProperty("class_weight").EnumerateArray().Select(x => x.GetDouble()).ToArray());

    /// <summary>Mean, sum and per-sample losses against the fixture's <paramref name="prefix"/>_ls{eps}_{reduction} cases.</summary>
    void CrossEntropyMatches(string prefix, double eps, double[]? weight)
    {
        var logits = Matrix("logits");
        var labels = Labels("labels");
        string key = $"{prefix}_ls{eps:0.0#}";
        Close(Expected(key + "_mean"), new CrossEntropy(eps, weight: weight).Forward(logits, labels).item<double>(), key + " mean");
        Close(Expected(key + "_sum"), new CrossEntropy(eps, nn.Reduction.Sum, weight).Forward(logits, labels).item<double>(), key + " sum");
        var none = new CrossEntropy(eps, nn.Reduction.None, weight).Forward(logits, labels).data<double>().ToArray();
        var expected = root.GetProperty("expected").GetProperty(key + "_none").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        for (int i = 0; i < expected.Length; i++) Close(expected[i], none[i], $"{key}, sample {i}");
    }

    [Fact]
    public void BalancedClassWeightsAreScikitLearns()
    {
        // 6 samples, 3 classes counted 3, 2, 1: 6 / (3 x count).
        Assert.Equal([6.0 / 9, 1.0, 2.0], ClassWeights.Balanced([3, 2, 1]));
        var e = Assert.Throws<ArgumentException>(() => ClassWeights.Balanced([3, 0, 1]));
        Assert.Contains("class 1 has no training samples", e.Message);
        Assert.Throws<ArgumentException>(() => new CrossEntropy(weight: [1.0, 2.0]).Forward(Matrix("logits"), Labels("labels")));
    }

    [Fact]
    public void SeedsLabelSmoothingFormulaIsPyTorchs() =>
        Close(Expected("seed_label_smoothing_0.1"), new CrossEntropy(0.1).Forward(Matrix("logits"), Labels("labels")).item<double>(), "seed formula");

    [Fact]
    public void BinaryCrossEntropyWithLogitsMatches()
    {
        var x = Matrix("bin_logits");
        var y = Matrix("bin_targets");
        var posWeight = tensor(root.GetProperty("pos_weight").EnumerateArray().Select(v => v.GetDouble()).ToArray(), float64);
        Close(Expected("bce_logits_mean"), new BinaryCrossEntropyWithLogits().Forward(x, y).item<double>(), "mean");
        Close(Expected("bce_logits_pos_weight_mean"), new BinaryCrossEntropyWithLogits(posWeight).Forward(x, y).item<double>(), "pos_weight");
        Close(Expected("bce_logits_sum"), new BinaryCrossEntropyWithLogits(reduction: nn.Reduction.Sum).Forward(x, y).item<double>(), "sum");
    }

    [Fact]
    public void MixedTargetLossWeighsByLambda()
    {
        var loss = new MixedTargetLoss(new CrossEntropy(0.1));
        var value = loss.Forward(Matrix("logits"), Labels("labels"), Labels("labels_b"), root.GetProperty("lam").GetDouble()).item<double>();
        Close(Expected("mixup_ce_ls0.1"), value, "mixup loss");
    }

    [Theory]
    [InlineData(0.5, 4.0)]
    [InlineData(0.1, 2.0)]
    [InlineData(1.0, 1.0)]
    public void DistillationLossMatchesSeedFormula(double alpha, double temperature)
    {
        var value = new DistillationLoss(alpha, temperature).Forward(Matrix("logits"), Matrix("teacher"), Labels("labels")).item<double>();
        Close(Expected($"kd_a{alpha:0.0}_t{temperature:0.0}"), value, "distillation");
    }

    [Fact]
    public void SoftmaxOutputsAreRefusedWithTheDoubleSoftmaxExplanation()
    {
        var probabilities = nn.functional.softmax(Matrix("logits"), 1);
        var e = Assert.Throws<InvalidOperationException>(() => new CrossEntropy().Forward(probabilities, Labels("labels")));
        Assert.Contains("softmax", e.Message);
        Assert.Contains("raw logits", e.Message);
        var logProbabilities = nn.functional.log_softmax(Matrix("logits"), 1);
        Assert.Throws<InvalidOperationException>(() => new CrossEntropy().Forward(logProbabilities, Labels("labels")));
        // Raw logits pass.
        new CrossEntropy().Forward(Matrix("logits"), Labels("labels")).Dispose();
    }
}
