namespace Kindling.Tuning.LrFinding;

/// <summary>
/// The learning rate carried from one batch size to another: linear for SGD (Goyal et al. 2017: the
/// noise of an SGD step scales with lr / batch), square root for adaptive optimizers (Adam, AdamW,
/// RAdam, NAdam, Adagrad, RMSprop normalise the step by the gradient's scale, so a linear rule overshoots).
/// </summary>
/// <param name="Rule">"linear" or "sqrt".</param>
/// <param name="Lr">The learning rate at <paramref name="FromBatchSize"/>.</param>
/// <param name="FromBatchSize">The batch size the learning rate was chosen for.</param>
/// <param name="ToBatchSize">The new batch size.</param>
/// <param name="ScaledLr">The learning rate for <paramref name="ToBatchSize"/>.</param>
public sealed record LrScaling(string Rule, double Lr, int FromBatchSize, int ToBatchSize, double ScaledLr)
{
    static readonly HashSet<string> Adaptive = ["adam", "adamw", "radam", "nadam", "adagrad", "rmsprop"];

    /// <summary>The rule for <paramref name="optimizer"/> applied from <paramref name="fromBatchSize"/> to <paramref name="toBatchSize"/>.</summary>
    public static LrScaling For(string optimizer, double lr, int fromBatchSize, int toBatchSize)
    {
        if (fromBatchSize < 1 || toBatchSize < 1) throw new ArgumentException($"batch sizes must be >= 1; got {fromBatchSize} and {toBatchSize}.");
        bool sqrt = Adaptive.Contains(optimizer.Trim().ToLowerInvariant());
        double ratio = (double)toBatchSize / fromBatchSize;
        return new LrScaling(sqrt ? "sqrt" : "linear", lr, fromBatchSize, toBatchSize, lr * (sqrt ? Math.Sqrt(ratio) : ratio));
    }
}
