using Kindling.Losses;
using Kindling.Runtime;
using Kindling.Tests.Models;
using static TorchSharp.torch;

namespace Kindling.Tests.Losses;

/// <summary>The margin-based contrastive loss equals the PyTorch fixture (Oracle/make_attention_fixtures.py): values, reductions and input gradients.</summary>
public class MarginContrastiveLossTests
{
    public MarginContrastiveLossTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void LossAndGradientsEqualPyTorchs()
    {
        var root = OracleFixtures.Json("attention/attention.json").RootElement;
        foreach (var c in root.GetProperty("margin").EnumerateArray())
        {
            using var scope = NewDisposeScope();
            var a = MultiHeadAttentionTests.T(c.GetProperty("a")).requires_grad_(true);
            var b = MultiHeadAttentionTests.T(c.GetProperty("b")).requires_grad_(true);
            var loss = new MarginContrastiveLoss(c.GetProperty("margin").GetDouble(), c.GetProperty("reduction").GetString()!)
                .Forward(a, b, MultiHeadAttentionTests.T(c.GetProperty("y")));
            var expected = MultiHeadAttentionTests.T(c.GetProperty("loss"));
            Assert.True((loss - expected.view(loss.shape)).abs().max().item<float>() < 1e-5, $"{c.GetProperty("reduction")}: {loss.sum().item<float>()} vs {expected.sum().item<float>()}");
            loss.sum().backward();
            Assert.True((a.grad! - MultiHeadAttentionTests.T(c.GetProperty("grad_a"))).abs().max().item<float>() < 1e-5);
            Assert.True((b.grad! - MultiHeadAttentionTests.T(c.GetProperty("grad_b"))).abs().max().item<float>() < 1e-5);
        }
    }

    [Fact]
    public void PositivesArePulledAndNegativesCostNothingBeyondTheMargin()
    {
        var loss = new MarginContrastiveLoss(margin: 1.0, reduction: "none");
        using var a = zeros(3, 2);
        using var b = tensor(new float[,] { { 0.5f, 0 }, { 0.5f, 0 }, { 2, 0 } });
        using var y = tensor(new float[] { 1, 0, 0 });
        var l = loss.Forward(a, b, y).data<float>().ToArray();
        Assert.Equal(0.25, l[0], 4); // positive at d 0.5: d^2
        Assert.Equal(0.25, l[1], 4); // negative inside the margin: (1 - 0.5)^2
        Assert.Equal(0.0, l[2], 6); // negative beyond it
        var seeds = new MarginContrastiveLoss(1.0, "none", positiveMargin: 0.6).Forward(a, b, y).data<float>().ToArray();
        Assert.Equal(0.0, seeds[0], 6); // seed 003's wording: a positive closer than the positive margin costs nothing
    }

    [Fact]
    public void BadArgumentsAreClearErrors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MarginContrastiveLoss(0));
        Assert.Throws<ArgumentException>(() => new MarginContrastiveLoss(1, "avg"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MarginContrastiveLoss(1, positiveMargin: 1));
        var e = Assert.Throws<ArgumentException>(() => new MarginContrastiveLoss().Forward(zeros(3, 2), zeros(3, 2), zeros(4)));
        Assert.Contains("[N] = [3]", e.Message);
    }
}
