using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised.Mae;

/// <summary>
/// The ViT encoder of a masked autoencoder: a strided convolution embeds p x p patches (<c>patch_embed</c>), fixed sine-cosine
/// position embeddings are added (<c>embed.pos_embed</c>, frozen), the class token (<c>embed.cls_token</c>) is prepended,
/// then pre-norm <see cref="TransformerBlock"/>s (<c>blocks</c>) and a final LayerNorm (<c>norm</c>). In pretraining it sees
/// only the visible patches (<see cref="EncodeVisible"/>); as a module it is the pretrained encoder, every patch in and
/// features [N, D] out (the mean of the patch tokens, or the class token: <see cref="MaeOptions.Features"/>).
/// </summary>
/// <remarks>
/// The parameter names are the registry ViT's (<c>vit-tiny-cifar</c>: <c>patch_embed</c>, <c>embed.cls_token</c>,
/// <c>embed.pos_embed</c>, <c>blocks.i.*</c>, <c>norm</c>), so a ViT of the same shape can start from this encoder by name.
/// </remarks>
public sealed class MaeEncoder : nn.Module<Tensor, Tensor>
{
    readonly Conv2d patch_embed;
    readonly TokenEmbedding embed;
    readonly Sequential blocks;
    readonly LayerNorm norm;

    /// <param name="options">The shape; <see cref="MaeOptions.PatchSize"/> must divide <see cref="MaeOptions.ImageSize"/>.</param>
    /// <exception cref="ArgumentException">The patch size does not divide the image, or a width does not fit its heads or the position embedding.</exception>
    public MaeEncoder(MaeOptions options) : base(nameof(MaeEncoder))
    {
        Patches.CheckDivides(options.PatchSize, options.ImageSize, options.ImageSize);
        if (options.Features is not ("mean" or "cls")) throw new ArgumentException($"MAE features '{options.Features}' are not known: expected mean or cls.");
        if (options.Depth < 1) throw new ArgumentException($"The MAE encoder needs at least one block; got depth {options.Depth}.");
        Options = options;
        int dim = options.EmbedDim, grid = options.ImageSize / options.PatchSize;
        PatchCount = (long)grid * grid;
        patch_embed = nn.Conv2d(options.Channels, dim, options.PatchSize, stride: options.PatchSize);
        embed = new TokenEmbedding(PatchCount, dim);
        blocks = nn.Sequential(Enumerable.Range(0, options.Depth).Select(_ => (nn.Module<Tensor, Tensor>)new TransformerBlock(dim, options.Heads, options.MlpRatio)).ToList());
        norm = nn.LayerNorm(dim, eps: 1e-6);
        using (torch.no_grad())
        {
            embed.PositionEmbedding.copy_(SinCosPositionEmbedding.Create(dim, grid));
            // MAE: the patch embedding is initialised as a linear layer (xavier on the flattened kernel), the class token N(0, 0.02).
            nn.init.xavier_uniform_(patch_embed.weight.view(dim, -1));
            nn.init.normal_(embed.ClassToken, std: 0.02);
        }
        embed.PositionEmbedding.requires_grad_(false);
        MaeInit.Linears(blocks);
        RegisterComponents();
    }

    /// <summary>The shape and objective it was built with.</summary>
    public MaeOptions Options { get; }

    /// <summary>Patches per image L.</summary>
    public long PatchCount { get; }

    /// <summary>Feature width D.</summary>
    public long FeatureCount => Options.EmbedDim;

    /// <summary>Patch tokens with their position embeddings, [N, L, D], before masking.</summary>
    public Tensor PatchTokens(Tensor images)
    {
        var tokens = patch_embed.call(images).flatten(2).transpose(1, 2);
        if (tokens.shape[1] != PatchCount)
            throw new ArgumentException($"The MAE encoder was built for {Options.ImageSize}x{Options.ImageSize} images ({PatchCount} patches) but got [{string.Join(", ", images.shape)}].");
        return tokens + embed.PositionEmbedding.narrow(1, 1, PatchCount);
    }

    /// <summary>Encodes only the visible patches: masks the patch tokens with <paramref name="noise"/> [N, L], prepends the class token, runs the blocks.</summary>
    /// <returns>The latent [N, 1 + K, D] (class token first) and the masking.</returns>
    public (Tensor Latent, MaskedTokens Masking) EncodeVisible(Tensor images, Tensor noise)
    {
        var masking = RandomMasking.Apply(PatchTokens(images), Options.MaskRatio, noise);
        return (Run(masking.Kept), masking);
    }

    /// <summary>Every patch through the encoder: [N, 1 + L, D] after the final norm, the class token first.</summary>
    public Tensor EncodeAll(Tensor images) => Run(PatchTokens(images));

    Tensor Run(Tensor patchTokens)
    {
        var cls = (embed.ClassToken + embed.PositionEmbedding.narrow(1, 0, 1)).expand(patchTokens.shape[0], -1, -1);
        return norm.call(blocks.call(torch.cat([cls.to(patchTokens.dtype), patchTokens], 1)));
    }

    /// <summary>Features [N, D] of images [N, C, H, W], every patch visible: the mean of the patch tokens, or the class token.</summary>
    public override Tensor forward(Tensor images)
    {
        var x = EncodeAll(images);
        return Options.Features == "cls" ? x.select(1, 0) : x.narrow(1, 1, x.shape[1] - 1).mean([1]);
    }
}
