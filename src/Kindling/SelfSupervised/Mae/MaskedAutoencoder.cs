using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised.Mae;

/// <summary>
/// A masked autoencoder (He et al. 2021; seed 004 4.3): the <see cref="MaeEncoder"/> sees only the visible patches; a light
/// decoder embeds its latent (<c>decoder_embed</c>), appends one shared learned mask token (<c>mask_token</c>) per removed
/// patch, unshuffles the sequence to the original patch order, adds its own fixed sine-cosine position embeddings
/// (<c>decoder_pos_embed</c>: without them every mask token is the same vector and the decoder cannot tell which patch to
/// draw), runs its blocks (<c>decoder_blocks</c>, <c>decoder_norm</c>) and predicts every patch's pixels (<c>decoder_pred</c>).
/// The loss (<see cref="MaeLoss"/>) reads only the removed patches.
/// </summary>
public sealed class MaskedAutoencoder : nn.Module<Tensor, Tensor, (Tensor Prediction, Tensor Mask)>
{
    readonly MaeEncoder encoder;
    readonly Linear decoder_embed, decoder_pred;
    readonly Parameter mask_token;
    readonly Tensor decoder_pos_embed;
    readonly Sequential decoder_blocks;
    readonly LayerNorm decoder_norm;

    /// <param name="options">Shape and objective.</param>
    /// <exception cref="ArgumentException">The patch size does not divide the image, or a width does not fit its heads or the position embedding.</exception>
    public MaskedAutoencoder(MaeOptions options) : base(nameof(MaskedAutoencoder))
    {
        Patches.CheckDivides(options.PatchSize, options.ImageSize, options.ImageSize);
        RandomMasking.KeepCount((long)(options.ImageSize / options.PatchSize) * (options.ImageSize / options.PatchSize), options.MaskRatio);
        if (options.DecoderDepth < 1) throw new ArgumentException($"The MAE decoder needs at least one block; got decoder depth {options.DecoderDepth}.");
        encoder = new MaeEncoder(options);
        Options = options;
        int grid = options.ImageSize / options.PatchSize, dim = options.DecoderDim;
        decoder_embed = nn.Linear(options.EmbedDim, dim);
        mask_token = new Parameter(torch.zeros(1, 1, dim));
        decoder_pos_embed = SinCosPositionEmbedding.Create(dim, grid);
        decoder_blocks = nn.Sequential(Enumerable.Range(0, options.DecoderDepth).Select(_ => (nn.Module<Tensor, Tensor>)new TransformerBlock(dim, options.DecoderHeads, options.MlpRatio)).ToList());
        decoder_norm = nn.LayerNorm(dim, eps: 1e-6);
        decoder_pred = nn.Linear(dim, (long)options.PatchSize * options.PatchSize * options.Channels);
        using (torch.no_grad()) nn.init.normal_(mask_token, std: 0.02);
        MaeInit.Linears(decoder_blocks);
        MaeInit.Linears(decoder_embed);
        MaeInit.Linears(decoder_pred);
        RegisterComponents();
    }

    /// <summary>Shape and objective.</summary>
    public MaeOptions Options { get; }

    /// <summary>The encoder (its parameters are this model's <c>encoder.*</c>).</summary>
    public MaeEncoder Encoder => encoder;

    /// <summary>
    /// Masks <paramref name="images"/> [N, C, H, W] with <paramref name="noise"/> [N, L] (uniform draws; the smallest
    /// L(1 - ratio) per sample are kept), encodes the visible patches and decodes every patch.
    /// </summary>
    /// <returns>The predicted patches [N, L, p·p·C] and the mask [N, L] (1 = removed, the patches the loss reads).</returns>
    public override (Tensor Prediction, Tensor Mask) forward(Tensor images, Tensor noise)
    {
        var (latent, masking) = encoder.EncodeVisible(images, noise);
        return (Decode(latent, masking.IdsRestore), masking.Mask);
    }

    /// <summary>Decodes a latent [N, 1 + K, D] (class token first, visible patches in shuffled order) to every patch's pixels [N, L, p·p·C].</summary>
    public Tensor Decode(Tensor latent, Tensor idsRestore)
    {
        var x = decoder_embed.call(latent);
        long n = x.shape[0], length = idsRestore.shape[1], dim = x.shape[2];
        var masks = mask_token.to(x.dtype).expand(n, length - (x.shape[1] - 1), dim);
        var shuffled = torch.cat([x.narrow(1, 1, x.shape[1] - 1), masks], 1);
        var ordered = shuffled.gather(1, idsRestore.unsqueeze(-1).expand(n, length, dim));
        x = torch.cat([x.narrow(1, 0, 1), ordered], 1) + decoder_pos_embed.to(x.dtype);
        x = decoder_pred.call(decoder_norm.call(decoder_blocks.call(x)));
        return x.narrow(1, 1, length);
    }
}
