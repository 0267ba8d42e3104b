using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// Attention-based multimodal fusion (seed 003's "things to add later"): image tokens [B, Li, Di] attend to a token sequence
/// [B, Lt, Dt] (a description, padded: key-padding mask [B, Lt], true = padding), so every image token takes in what the
/// text says; the sequence is projected to Di first when the widths differ (<c>context_proj</c>). Returns the fused image
/// tokens [B, Li, Di]; padded text tokens have no effect on them, and a description that is all padding leaves only the
/// attention's output bias on the residual path (see <see cref="MultiHeadAttention"/>). <see cref="ConcatFusion"/> is the plain alternative.
/// </summary>
public sealed class CrossAttentionFusion : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    readonly Linear? context_proj;
    readonly ModuleList<MaskedAttentionBlock> blocks;

    /// <param name="imageDim">Width of the image tokens Di.</param>
    /// <param name="textDim">Width of the text tokens Dt.</param>
    /// <param name="heads">Attention heads; must divide Di.</param>
    /// <param name="depth">Cross-attention blocks.</param>
    public CrossAttentionFusion(int imageDim, int textDim, int heads, int depth = 1) : base(nameof(CrossAttentionFusion))
    {
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "Fusion needs at least one block.");
        context_proj = textDim == imageDim ? null : nn.Linear(textDim, imageDim);
        blocks = nn.ModuleList(Enumerable.Range(0, depth).Select(_ => new MaskedAttentionBlock(imageDim, heads)).ToArray());
        RegisterComponents();
    }

    /// <summary>The image tokens after attending to the text tokens.</summary>
    public override Tensor forward(Tensor imageTokens, Tensor textTokens, Tensor? textPaddingMask)
    {
        var context = context_proj is null ? textTokens : context_proj.call(textTokens);
        var x = imageTokens;
        foreach (var block in blocks) x = block.call(x, context, textPaddingMask);
        return x;
    }
}
