using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// Multi-head self-attention as in ViT (Dosovitskiy et al. 2021) and timm: one packed linear projection
/// to queries, keys and values (<c>qkv</c>), <see cref="ScaledDotProductAttention"/> (<c>attend</c>), and
/// the output projection (<c>proj</c>).
/// </summary>
public sealed class MultiHeadSelfAttention : nn.Module<Tensor, Tensor>
{
    readonly Linear qkv, proj;
    readonly ScaledDotProductAttention attend;

    /// <param name="dim">Embedding dimension D.</param>
    /// <param name="heads">Heads; must divide D.</param>
    public MultiHeadSelfAttention(int dim, int heads) : base(nameof(MultiHeadSelfAttention))
    {
        if (heads < 1 || dim % heads != 0)
            throw new ArgumentException($"The embedding dimension ({dim}) must be a multiple of the number of heads ({heads}).");
        qkv = nn.Linear(dim, 3L * dim);
        attend = new ScaledDotProductAttention(heads);
        proj = nn.Linear(dim, dim);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => proj.call(attend.call(qkv.call(input)));
}
