using System.Text.Json;
using Kindling.Runtime;
using Kindling.SelfSupervised;
using static TorchSharp.torch;

namespace Kindling.Tests.SelfSupervised;

/// <summary>NT-Xent and InfoNCE with a queue equal PyTorch's on the same inputs (Oracle/make_contrastive_fixtures.py).</summary>
public class ContrastiveLossTests
{
    readonly JsonElement root;

    public ContrastiveLossTests()
    {
        TorchRuntime.EnsureLoaded();
        root = OracleFixtures.Json("contrastive/contrastive.json").RootElement;
    }

    Tensor Matrix(JsonElement m) => tensor(m.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(x => x.GetDouble())).ToArray(),
        new long[] { m.GetArrayLength(), m[0].GetArrayLength() }, float64);

    Tensor Input(string key) => Matrix(root.GetProperty(key));

    JsonElement Expected(string key) => root.GetProperty("expected").GetProperty(key);

    static void Close(Tensor expected, Tensor actual, string what, double tolerance = 1e-10) =>
        Assert.True(expected.allclose(actual, rtol: tolerance, atol: tolerance), $"{what}: PyTorch {expected.ToString(TorchSharp.TensorStringStyle.Julia)}, Kindling {actual.ToString(TorchSharp.TensorStringStyle.Julia)}");

    [Theory]
    [InlineData("0.5", 0.5)]
    [InlineData("0.1", 0.1)]
    [InlineData("0.07", 0.07)]
    public void NtXentEqualsAPlainInfoNceWrittenWithCrossEntropyValueAndGradients(string key, double temperature)
    {
        using var zi = Input("z_i").requires_grad_(true);
        using var zj = Input("z_j").requires_grad_(true);
        using var loss = new NtXentLoss(temperature).Forward(zi, zj);
        loss.backward();
        Assert.Equal(Expected($"infonce_{key}").GetDouble(), loss.item<double>(), 10);
        Close(Matrix(Expected($"infonce_{key}_grad_i")), zi.grad!, "dL/dz_i");
        Close(Matrix(Expected($"infonce_{key}_grad_j")), zj.grad!, "dL/dz_j");
    }

    [Theory]
    [InlineData("0.5", 0.5)]
    [InlineData("0.1", 0.1)]
    public void TheSeedsNtXentDiffersOnlyByCountingThePositiveTwice(string key, double temperature)
    {
        using var zi = Input("z_i");
        using var zj = Input("z_j");
        var loss = new NtXentLoss(temperature);
        using var logits = loss.Logits(zi, zj);
        using var targets = NtXentLoss.Targets(zi.shape[0], zi.device);
        using var positive = logits.gather(1, targets.unsqueeze(1));
        // The seed's logits: cat([positives, sim_matrix without the diagonal]), target 0.
        using var seedLike = (cat([positive, logits], 1).logsumexp(1) - positive.squeeze(1)).mean();
        double seed = Expected($"seed_ntxent_{key}").GetDouble();
        Assert.Equal(seed, seedLike.item<double>(), 10);
        using var ours = loss.Forward(zi, zj);
        Assert.True(seed > ours.item<double>() + 1e-3, $"the seed's value {seed} should exceed NT-Xent's {ours.item<double>()}: its denominators hold the positive twice");
    }

    [Theory]
    [InlineData("0.07", 0.07)]
    [InlineData("0.2", 0.2)]
    public void InfoNceWithAQueueEqualsMocosLogitsLossAndGradient(string key, double temperature)
    {
        using var raw = Input("q").requires_grad_(true);
        using var q = nn.functional.normalize(raw, p: 2, dim: 1);
        using var k = nn.functional.normalize(Input("k"), p: 2, dim: 1);
        using var queue = Input("queue_rows");
        var loss = new InfoNceLoss(temperature);
        using var logits = loss.Logits(q, k, queue);
        Close(Matrix(Expected($"moco_{key}_logits")), logits, "logits");
        using var value = loss.Forward(q, k, queue);
        value.backward();
        Assert.Equal(Expected($"moco_{key}").GetDouble(), value.item<double>(), 10);
        Close(Matrix(Expected($"moco_{key}_grad_q")), raw.grad!, "dL/dq");
    }

    [Fact]
    public void BadInputsAreRefusedWithWhatWasExpected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NtXentLoss(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InfoNceLoss(-1));
        var e = Assert.Throws<ArgumentException>(() => new NtXentLoss().Forward(ones(1, 4), ones(1, 4)));
        Assert.Contains("at least 2 images", e.Message);
        e = Assert.Throws<ArgumentException>(() => new NtXentLoss().Forward(ones(3, 4), ones(2, 4)));
        Assert.Contains("same shape", e.Message);
        e = Assert.Throws<ArgumentException>(() => new InfoNceLoss().Forward(ones(3, 4), ones(3, 4), ones(5, 3)));
        Assert.Contains("queue must be [K, 4]", e.Message);
    }
}
