using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// The plain multimodal fusion seed 003 names: the two modalities' pooled features [B, Da] and [B, Db] concatenated to
/// [B, Da + Db] and mixed by a linear layer (<c>proj</c>) to [B, out]. Every feature of either side reaches every output,
/// but neither side looks at the other's parts; <see cref="CrossAttentionFusion"/> does.
/// </summary>
public sealed class ConcatFusion : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Linear proj;

    /// <param name="dimA">Width of the first modality's features.</param>
    /// <param name="dimB">Width of the second's.</param>
    /// <param name="outDim">Width of the fused features.</param>
    public ConcatFusion(int dimA, int dimB, int outDim) : base(nameof(ConcatFusion))
    {
        DimA = dimA;
        DimB = dimB;
        proj = nn.Linear(dimA + dimB, outDim);
        RegisterComponents();
    }

    /// <summary>Width of the first modality's features.</summary>
    public int DimA { get; }

    /// <summary>Width of the second's.</summary>
    public int DimB { get; }

    /// <summary>proj(cat(a, b)) for <paramref name="a"/> [B, Da] and <paramref name="b"/> [B, Db].</summary>
    public override Tensor forward(Tensor a, Tensor b)
    {
        if (a.dim() != 2 || b.dim() != 2 || a.shape[0] != b.shape[0] || a.shape[1] != DimA || b.shape[1] != DimB)
            throw new ArgumentException($"ConcatFusion needs [B, {DimA}] and [B, {DimB}]; got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}].");
        return proj.call(torch.cat([a, b], 1));
    }
}
