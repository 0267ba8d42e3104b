namespace Kindling.Optim;

/// <summary>Lookahead's synchronisation period <c>k</c> and slow-weight step <c>alpha</c>.</summary>
public sealed record LookaheadOptions(int K = 5, double Alpha = 0.5);
