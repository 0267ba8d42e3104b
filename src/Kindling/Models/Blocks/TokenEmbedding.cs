using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// Turns a (B, D, h, w) patch-embedding map into the ViT's token sequence: flattens the patches to
/// (B, h·w, D), prepends the learned class token and adds the learned position embeddings, giving
/// (B, h·w + 1, D). Holds <c>cls_token</c> (1, 1, D) and <c>pos_embed</c> (1, N + 1, D).
/// </summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    readonly Parameter cls_token, pos_embed;

    /// <param name="patches">Number of patches N (fixed by the input size: position embeddings are learned per position).</param>
    /// <param name="dim">Embedding dimension D.</param>
    public TokenEmbedding(long patches, long dim) : base(nameof(TokenEmbedding))
    {
        Patches = patches;
        // timm / ViT: truncated normal with std 0.02 for both, small enough not to swamp the patch features.
        cls_token = new Parameter(ModelInit.TruncNormal(torch.empty(1, 1, dim), std: 0.02));
        pos_embed = new Parameter(ModelInit.TruncNormal(torch.empty(1, patches + 1, dim), std: 0.02));
        RegisterComponents();
    }

    /// <summary>The class token (1, 1, D): read by a masked autoencoder, which adds it after masking the patches.</summary>
    public Parameter ClassToken => cls_token;

    /// <summary>The position embeddings (1, N + 1, D), the class token's first.</summary>
    public Parameter PositionEmbedding => pos_embed;

    /// <summary>Number of patches N the position embeddings were made for.</summary>
    public long Patches { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor patchMap)
    {
        var tokens = patchMap.flatten(2).transpose(1, 2);
        if (tokens.shape[1] != Patches)
            throw new ArgumentException($"The ViT was built for {Patches} patches but the input gives {tokens.shape[1]}: build it with the input size you feed (input_size).");
        var cls = cls_token.expand(tokens.shape[0], -1, -1);
        return torch.cat(new[] { cls, tokens }, 1) + pos_embed;
    }
}
