using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised.Mae;

/// <summary>
/// MAE's fixed 2-D sine-cosine position embeddings (<c>get_2d_sincos_pos_embed</c>): half of the D dimensions encode the
/// patch's column, half its row, each as sin and cos of the position at D/4 frequencies 1/10000^(k/(D/4)); a zero row for
/// the class token comes first. Fixed, not learned, as in MAE: the decoder's mask tokens are told apart only by them.
/// </summary>
public static class SinCosPositionEmbedding
{
    /// <summary>The embeddings [1, 1 + g·g, D] of a g x g patch grid, the class token's (zeros) first.</summary>
    /// <exception cref="ArgumentException">D is not a multiple of 4.</exception>
    public static Tensor Create(int dim, int grid)
    {
        if (dim < 4 || dim % 4 != 0) throw new ArgumentException($"The sine-cosine position embedding needs a dimension that is a multiple of 4; got {dim}.");
        var coords = torch.arange(grid, dtype: ScalarType.Float64);
        // MAE's meshgrid(grid_w, grid_h): the first half encodes the column, the second the row; raster order (row-major).
        var column = coords.repeat(grid);
        var row = coords.repeat_interleave(grid);
        var emb = torch.cat([OneDimension(dim / 2, column), OneDimension(dim / 2, row)], 1);
        return torch.cat([torch.zeros(1, dim, dtype: ScalarType.Float64), emb], 0).unsqueeze(0).to(ScalarType.Float32);
    }

    static Tensor OneDimension(int dim, Tensor positions)
    {
        var omega = torch.arange(dim / 2, dtype: ScalarType.Float64) / (dim / 2.0);
        omega = 1.0 / torch.pow(10000.0, omega);
        var outer = positions.unsqueeze(1) * omega.unsqueeze(0);
        return torch.cat([outer.sin(), outer.cos()], 1);
    }
}
