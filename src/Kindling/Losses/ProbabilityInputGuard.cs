using static TorchSharp.torch;

namespace Kindling.Losses;

/// <summary>
/// Refuses loss inputs that are already probabilities or log-probabilities. Cross-entropy applies
/// log-softmax itself; a model that ends in softmax (or log-softmax) gets it twice, which trains
/// badly without any error - the seeds' most common silent bug.
/// </summary>
public static class ProbabilityInputGuard
{
    /// <summary>Throws when every row of <paramref name="logits"/> is a probability or log-probability distribution.</summary>
    public static void Check(Tensor logits, string lossName)
    {
        var kind = Detect(logits);
        if (kind is not null)
            throw new InvalidOperationException(
                $"{lossName} got {Describe(kind.Value)}, but it applies log-softmax itself: the model's output went through " +
                $"{(kind == ProbabilityKind.Probabilities ? "softmax" : "log_softmax")} twice. " +
                "Remove the final softmax/log_softmax from the model and feed raw logits (keep softmax for prediction only).");
    }

    /// <summary>Whether every row of <paramref name="logits"/> [N, K] is a probability or a log-probability distribution; null when neither.</summary>
    public static ProbabilityKind? Detect(Tensor logits)
    {
        if (logits.dim() != 2 || logits.shape[1] < 2) return null;
        using var scope = NewDisposeScope();
        var x = logits.detach().to(float64);
        if (x.min().item<double>() >= 0 && x.max().item<double>() <= 1 && (x.sum(1) - 1).abs().max().item<double>() < 1e-3)
            return ProbabilityKind.Probabilities;
        if (x.max().item<double>() <= 0 && x.logsumexp(1).abs().max().item<double>() < 1e-3)
            return ProbabilityKind.LogProbabilities;
        return null;
    }

    /// <summary>What the rows are, in words, for messages.</summary>
    public static string Describe(ProbabilityKind kind) => kind == ProbabilityKind.Probabilities
        ? "probabilities (every row is >= 0 and sums to 1)"
        : "log-probabilities (every row's logsumexp is 0)";
}
