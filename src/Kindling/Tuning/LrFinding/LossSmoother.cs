namespace Kindling.Tuning.LrFinding;

/// <summary>
/// The range test's smoothed loss: an exponential moving average started at zero and divided by
/// 1 - beta^n, so the first values are not pulled toward zero (Adam's bias correction; fastai's find_lr).
/// </summary>
public sealed class LossSmoother
{
    readonly double beta;
    double average;

    /// <param name="beta">The weight of the past, in [0, 1); 0 returns each loss unchanged.</param>
    public LossSmoother(double beta)
    {
        if (beta is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be in [0, 1).");
        this.beta = beta;
    }

    /// <summary>Losses added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a loss and returns the bias-corrected average.</summary>
    public double Add(double loss)
    {
        Count++;
        average = beta * average + (1 - beta) * loss;
        return average / (1 - Math.Pow(beta, Count));
    }
}
