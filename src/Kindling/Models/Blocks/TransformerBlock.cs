using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// A pre-norm transformer encoder block (ViT): x + DropPath(Attention(LN(x))), then
/// x + DropPath(MLP(LN(x))) with a GELU MLP of 4x the width. Normalizing before each sublayer keeps the
/// residual stream unnormalized, which is what lets deep ViTs train without warm-up tricks.
/// </summary>
public sealed class TransformerBlock : nn.Module<Tensor, Tensor>
{
    readonly LayerNorm norm1, norm2;
    readonly MultiHeadSelfAttention attn;
    readonly Sequential mlp;
    readonly nn.Module<Tensor, Tensor>? drop_path1, drop_path2;

    /// <param name="dim">Embedding dimension.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="mlpRatio">MLP hidden width as a multiple of <paramref name="dim"/>.</param>
    /// <param name="dropPath">Stochastic-depth probability of both residual branches.</param>
    public TransformerBlock(int dim, int heads, double mlpRatio = 4, double dropPath = 0) : base(nameof(TransformerBlock))
    {
        long hidden = (long)(dim * mlpRatio);
        norm1 = nn.LayerNorm(dim, eps: 1e-6);
        attn = new MultiHeadSelfAttention(dim, heads);
        norm2 = nn.LayerNorm(dim, eps: 1e-6);
        mlp = nn.Sequential(("fc1", nn.Linear(dim, hidden)), ("act", nn.GELU()), ("fc2", nn.Linear(hidden, dim)));
        if (dropPath > 0)
        {
            drop_path1 = new StochasticDepth(dropPath);
            drop_path2 = new StochasticDepth(dropPath);
        }
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var y = attn.call(norm1.call(input));
        var x = input + (drop_path1 is null ? y : drop_path1.call(y));
        y = mlp.call(norm2.call(x));
        return x + (drop_path2 is null ? y : drop_path2.call(y));
    }
}
