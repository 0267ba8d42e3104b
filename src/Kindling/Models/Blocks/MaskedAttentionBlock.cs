using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// A pre-norm transformer block whose attention reads a context that may be padded: x + Attn(LN(x), LN(c), LN(c), mask), then
/// x + MLP(LN(x)) with a GELU MLP. With the context the sequence itself it is self-attention over padded sequences (a text
/// encoder); with another sequence it is cross-attention (image tokens attending to a description). The mask is the
/// context's key-padding mask (bool [B, Lc], true = padding), see <see cref="MultiHeadAttention"/>.
/// </summary>
public sealed class MaskedAttentionBlock : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    readonly LayerNorm norm1, norm_context, norm2;
    readonly MultiHeadAttention attn;
    readonly Sequential mlp;

    /// <param name="dim">Width of x and of the context.</param>
    /// <param name="heads">Attention heads; must divide <paramref name="dim"/>.</param>
    /// <param name="mlpRatio">MLP hidden width as a multiple of <paramref name="dim"/>.</param>
    public MaskedAttentionBlock(int dim, int heads, double mlpRatio = 4) : base(nameof(MaskedAttentionBlock))
    {
        norm1 = nn.LayerNorm(dim, eps: 1e-6);
        norm_context = nn.LayerNorm(dim, eps: 1e-6);
        attn = new MultiHeadAttention(dim, heads);
        norm2 = nn.LayerNorm(dim, eps: 1e-6);
        long hidden = (long)(dim * mlpRatio);
        mlp = nn.Sequential(("fc1", nn.Linear(dim, hidden)), ("act", nn.GELU()), ("fc2", nn.Linear(hidden, dim)));
        RegisterComponents();
    }

    /// <summary><paramref name="x"/> [B, L, D] updated from <paramref name="context"/> [B, Lc, D] (padding where <paramref name="contextPaddingMask"/> is true).</summary>
    public override Tensor forward(Tensor x, Tensor context, Tensor? contextPaddingMask)
    {
        var c = norm_context.call(context);
        x = x + attn.call(norm1.call(x), c, c, contextPaddingMask);
        return x + mlp.call(norm2.call(x));
    }
}
