using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// The parameter-free core of multi-head self-attention: splits packed (B, N, 3D) query/key/value
/// projections into heads and returns softmax(QKᵀ/√d)V, merged back to (B, N, D). A module of its own so
/// that hooks and <see cref="ModelSummary"/> see the attention step and can count its 2·N²·D
/// multiply-adds per sample.
/// </summary>
public sealed class ScaledDotProductAttention : nn.Module<Tensor, Tensor>
{
    /// <param name="heads">Number of heads; must divide the embedding dimension.</param>
    public ScaledDotProductAttention(int heads) : base(nameof(ScaledDotProductAttention))
    {
        if (heads < 1) throw new ArgumentOutOfRangeException(nameof(heads), heads, "Attention needs at least one head.");
        Heads = heads;
    }

    /// <summary>Number of attention heads.</summary>
    public int Heads { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor qkv)
    {
        long b = qkv.shape[0], n = qkv.shape[1], dim = qkv.shape[2] / 3;
        var parts = qkv.reshape(b, n, 3, Heads, dim / Heads).permute(2, 0, 3, 1, 4);
        var y = nn.functional.scaled_dot_product_attention(parts[0], parts[1], parts[2]);
        return y.transpose(1, 2).reshape(b, n, dim);
    }
}
