namespace Kindling.Losses;

/// <summary>What a model's outputs already are when they are not logits (see <see cref="ProbabilityInputGuard"/>).</summary>
public enum ProbabilityKind
{
    /// <summary>Softmax outputs: every row is >= 0 and sums to 1.</summary>
    Probabilities,

    /// <summary>Log-softmax outputs: every row's logsumexp is 0.</summary>
    LogProbabilities,
}
