using Kindling.Models;
using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised.Multimodal;

/// <summary>
/// A small transformer text encoder for padded token sequences: token embeddings (<c>token_embed</c>, token 0 padding) plus
/// learned position embeddings (<c>pos_embed</c>), <see cref="MaskedAttentionBlock"/>s attending with the key-padding mask
/// (<c>blocks</c>), a final LayerNorm (<c>norm</c>), the mean of the real tokens (padding left out), and a linear map to the
/// joint space (<c>proj</c>). What a sequence encodes to does not depend on how much padding its batch gave it.
/// </summary>
public sealed class TextEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Embedding token_embed;
    readonly Parameter pos_embed;
    readonly ModuleList<MaskedAttentionBlock> blocks;
    readonly LayerNorm norm;
    readonly Linear proj;

    /// <param name="vocabulary">Tokens, padding (0) included.</param>
    /// <param name="maxLength">Longest sequence.</param>
    /// <param name="dim">Token width.</param>
    /// <param name="heads">Attention heads; must divide <paramref name="dim"/>.</param>
    /// <param name="depth">Attention blocks.</param>
    /// <param name="outDim">Width of the joint embedding space.</param>
    public TextEncoder(long vocabulary, int maxLength, int dim, int heads, int depth, int outDim) : base(nameof(TextEncoder))
    {
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "The text encoder needs at least one block.");
        MaxLength = maxLength;
        token_embed = nn.Embedding(vocabulary, dim, padding_idx: 0);
        pos_embed = new Parameter(ModelInit.TruncNormal(torch.empty(1, maxLength, dim), std: 0.02));
        blocks = nn.ModuleList(Enumerable.Range(0, depth).Select(_ => new MaskedAttentionBlock(dim, heads)).ToArray());
        norm = nn.LayerNorm(dim, eps: 1e-6);
        proj = nn.Linear(dim, outDim);
        RegisterComponents();
    }

    /// <summary>Longest sequence the position embeddings cover.</summary>
    public int MaxLength { get; }

    /// <summary>Embeddings [N, out] of <paramref name="tokens"/> [N, L] (int64, L ≤ max length) whose real lengths are <paramref name="lengths"/> [N].</summary>
    public override Tensor forward(Tensor tokens, Tensor lengths)
    {
        long length = tokens.shape[1];
        if (tokens.dim() != 2 || length > MaxLength)
            throw new ArgumentException($"The text encoder needs tokens [N, L] with L <= {MaxLength}; got [{string.Join(", ", tokens.shape)}].");
        var padding = MultiHeadAttention.PaddingMask(lengths, length);
        var x = token_embed.call(tokens) + pos_embed.narrow(1, 0, length);
        foreach (var block in blocks) x = block.call(x, x, padding);
        x = norm.call(x);
        var real = padding.logical_not().unsqueeze(-1).to(x.dtype);
        return proj.call((x * real).sum(1) / real.sum(1).clamp_min(1));
    }
}
