using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// Multi-head attention over batch-first sequences with a key-padding mask, so sequences of different lengths batch
/// together with padding: PyTorch's <c>nn.MultiheadAttention(dim, heads, batch_first=True)</c> called with
/// <c>key_padding_mask</c> (bool [B, Lk], true where a key is padding; a padded key gets no attention).
/// </summary>
/// <remarks>
/// It wraps TorchSharp's <see cref="nn.MultiheadAttention"/> (libtorch's own module), which the PyTorch fixtures show to be
/// right with key-padding masks (outputs and head-averaged weights to 1e-7; Oracle/make_attention_fixtures.py). What the
/// wrapper adds: batch-first tensors (libtorch's module is sequence-first only), shape and mask checks with clear errors, and
/// one decision PyTorch leaves open: a batch element whose keys are <em>all</em> padding. PyTorch returns NaN for it
/// (a softmax over nothing), and the NaN reaches every parameter's gradient through backward. Here such an element attends
/// to nothing: its weights are 0, the attended value is the zero vector, so its output is the output projection's bias;
/// its gradient is zero and finite, and the other elements are exactly PyTorch's. Parameters: <c>mha.in_proj_weight</c>
/// [3D, D], <c>mha.in_proj_bias</c>, <c>mha.out_proj.weight</c>, <c>mha.out_proj.bias</c> (PyTorch's names under <c>mha.</c>).
/// </remarks>
public sealed class MultiHeadAttention : nn.Module<Tensor, Tensor, Tensor, Tensor?, Tensor>
{
    readonly TorchSharp.Modules.MultiheadAttention mha;

    /// <param name="dim">Embedding dimension D of queries, keys and values.</param>
    /// <param name="heads">Heads; must divide D.</param>
    /// <param name="dropout">Dropout on the attention weights in training.</param>
    public MultiHeadAttention(int dim, int heads, double dropout = 0) : base(nameof(MultiHeadAttention))
    {
        if (heads < 1 || dim < 1 || dim % heads != 0)
            throw new ArgumentException($"The embedding dimension ({dim}) must be a positive multiple of the number of heads ({heads}).");
        Dim = dim;
        Heads = heads;
        mha = nn.MultiheadAttention(dim, heads, dropout);
        RegisterComponents();
    }

    /// <summary>Embedding dimension D.</summary>
    public int Dim { get; }

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    /// <summary>The attended output [B, Lq, D]; see <see cref="Attend"/>.</summary>
    public override Tensor forward(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask) =>
        Attend(query, key, value, keyPaddingMask, needWeights: false).Output;

    /// <summary>
    /// Attends <paramref name="query"/> [B, Lq, D] to <paramref name="key"/>/<paramref name="value"/> [B, Lk, D].
    /// </summary>
    /// <param name="query">Queries [B, Lq, D].</param>
    /// <param name="key">Keys [B, Lk, D].</param>
    /// <param name="value">Values [B, Lk, D].</param>
    /// <param name="keyPaddingMask">Bool [B, Lk], true where the key is padding; null: no padding.</param>
    /// <param name="needWeights">Also return the attention weights averaged over heads, [B, Lq, Lk] (PyTorch's default average).</param>
    /// <exception cref="ArgumentException">Shapes or the mask do not fit.</exception>
    public (Tensor Output, Tensor? Weights) Attend(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null, bool needWeights = false)
    {
        Check(query, key, value, keyPaddingMask);
        Tensor? empty = null, mask = keyPaddingMask;
        if (keyPaddingMask is not null)
        {
            // Elements with no key at all: unmask them for libtorch (no NaN anywhere, forward or backward), then overwrite below.
            empty = keyPaddingMask.all(1);
            mask = keyPaddingMask.logical_and(empty.logical_not().unsqueeze(1));
        }
        var (output, weights) = mha.call(query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1), mask, needWeights, null);
        output = output.transpose(0, 1);
        if (empty is not null)
        {
            var rows = empty.view(-1, 1, 1);
            var bias = mha.named_parameters().First(p => p.name == "out_proj.bias").parameter;
            output = torch.where(rows, bias.to(output.dtype).expand_as(output), output);
            if (needWeights) weights = weights.masked_fill(rows, 0);
        }
        return (output, needWeights ? weights : null);
    }

    /// <summary>
    /// The key-padding mask of sequences with these <paramref name="lengths"/> ([B], int64) padded to <paramref name="length"/>:
    /// bool [B, length], true at positions at or past a sequence's length.
    /// </summary>
    public static Tensor PaddingMask(Tensor lengths, long length) =>
        torch.arange(length, device: lengths.device).unsqueeze(0) >= lengths.unsqueeze(1);

    void Check(Tensor query, Tensor key, Tensor value, Tensor? mask)
    {
        foreach (var (t, name) in new[] { (query, "query"), (key, "key"), (value, "value") })
            if (t.dim() != 3 || t.shape[2] != Dim)
                throw new ArgumentException($"Attention's {name} must be [batch, length, {Dim}] (batch first); got [{string.Join(", ", t.shape)}].");
        if (key.shape[0] != query.shape[0] || value.shape[0] != query.shape[0])
            throw new ArgumentException($"query, key and value must have the same batch size; got {query.shape[0]}, {key.shape[0]}, {value.shape[0]}.");
        if (key.shape[1] != value.shape[1])
            throw new ArgumentException($"key and value must have the same length; got {key.shape[1]} and {value.shape[1]}.");
        if (mask is null) return;
        if (mask.dtype != ScalarType.Bool)
            throw new ArgumentException($"key_padding_mask must be bool (true = padding); got {mask.dtype}.");
        if (mask.dim() != 2 || mask.shape[0] != key.shape[0] || mask.shape[1] != key.shape[1])
            throw new ArgumentException($"key_padding_mask must be [batch, key length] = [{key.shape[0]}, {key.shape[1]}]; got [{string.Join(", ", mask.shape)}].");
    }
}
