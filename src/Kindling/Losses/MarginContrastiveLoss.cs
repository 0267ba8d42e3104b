using static TorchSharp.torch;

namespace Kindling.Losses;

/// <summary>
/// The margin-based contrastive loss for pairs (Hadsell, Chopra and LeCun 2006; seed 003's "multimodal contrastive loss"):
/// for embeddings a, b [N, D] and pair labels y [N] (1: a positive pair, the two belong together; 0: a negative pair),
/// with d = ||a - b||₂ (PyTorch's <c>F.pairwise_distance</c>, eps 1e-6),
/// loss_i = y_i d_i² + (1 - y_i) max(0, margin - d_i)². Positives are pulled together; negatives are pushed apart until
/// they are <see cref="Margin"/> apart, and cost nothing beyond it. Reduced by mean (default), sum or none, as PyTorch's
/// losses are. Hadsell et al. write a factor 1/2 on both terms; it only scales the gradient, and is left out as is usual.
/// </summary>
/// <remarks>
/// Seed 003 describes the loss as penalising positive pairs whose distance exceeds a margin. With
/// <see cref="PositiveMargin"/> &gt; 0 that is what it does (the double-margin form: positives cost
/// max(0, d - positive_margin)², so pairs already that close are left alone); 0, the default, is Hadsell's form.
/// </remarks>
public sealed class MarginContrastiveLoss
{
    /// <param name="margin">How far apart negatives must be before they cost nothing (&gt; 0).</param>
    /// <param name="reduction">"mean", "sum" or "none".</param>
    /// <param name="positiveMargin">Distance under which positives cost nothing (≥ 0, below <paramref name="margin"/>); 0: Hadsell's form.</param>
    public MarginContrastiveLoss(double margin = 1.0, string reduction = "mean", double positiveMargin = 0)
    {
        if (!(margin > 0) || double.IsInfinity(margin)) throw new ArgumentOutOfRangeException(nameof(margin), margin, "The margin must be a finite number > 0.");
        if (!(positiveMargin >= 0) || positiveMargin >= margin)
            throw new ArgumentOutOfRangeException(nameof(positiveMargin), positiveMargin, $"The positive margin must be in [0, margin = {margin}).");
        if (reduction is not ("mean" or "sum" or "none")) throw new ArgumentException($"reduction '{reduction}' is not known: expected mean, sum or none.", nameof(reduction));
        Margin = margin;
        Reduction = reduction;
        PositiveMargin = positiveMargin;
    }

    /// <summary>Distance beyond which a negative pair costs nothing.</summary>
    public double Margin { get; }

    /// <summary>Distance under which a positive pair costs nothing (0: every positive pair is pulled).</summary>
    public double PositiveMargin { get; }

    /// <summary>"mean", "sum" or "none".</summary>
    public string Reduction { get; }

    /// <summary>The loss of the pairs (<paramref name="a"/>[i], <paramref name="b"/>[i]) labelled <paramref name="y"/>[i].</summary>
    /// <param name="a">Embeddings [N, D].</param>
    /// <param name="b">Embeddings [N, D].</param>
    /// <param name="y">[N], 1 for positive pairs and 0 for negative ones (any numeric or bool type).</param>
    /// <exception cref="ArgumentException">The shapes do not fit.</exception>
    public Tensor Forward(Tensor a, Tensor b, Tensor y)
    {
        if (a.dim() != 2 || !a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"The pair embeddings must both be [N, D]; got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}].");
        if (y.dim() != 1 || y.shape[0] != a.shape[0])
            throw new ArgumentException($"The pair labels must be [N] = [{a.shape[0]}] (1 positive, 0 negative); got [{string.Join(", ", y.shape)}].");
        var d = nn.functional.pairwise_distance(a, b);
        var label = y.to(d.dtype);
        var pull = PositiveMargin > 0 ? (d - PositiveMargin).clamp_min(0).square() : d.square();
        var push = (Margin - d).clamp_min(0).square();
        var loss = label * pull + (1 - label) * push;
        return Reduction switch { "mean" => loss.mean(), "sum" => loss.sum(), _ => loss };
    }
}
