namespace Kindling.Optim;

/// <summary>
/// Lookahead's synchronisation period <c>k</c> and slow-weight step <c>alpha</c> (Zhang et al. 2019: k fast steps,
/// then the slow weights move alpha of the way). A recipe's <c>optimizer.lookahead</c> section binds to it directly.
/// </summary>
public sealed record LookaheadOptions
{
    /// <summary>The defaults: k 5, alpha 0.5 (a recipe binds its keys onto these).</summary>
    public LookaheadOptions() { }

    /// <param name="k">Fast steps per slow update.</param>
    /// <param name="alpha">The slow weights' step towards the fast ones.</param>
    public LookaheadOptions(int k, double alpha)
    {
        K = k;
        Alpha = alpha;
    }

    /// <summary>Fast steps per slow update.</summary>
    public int K { get; init; } = 5;

    /// <summary>The slow weights' step towards the fast ones.</summary>
    public double Alpha { get; init; } = 0.5;
}
