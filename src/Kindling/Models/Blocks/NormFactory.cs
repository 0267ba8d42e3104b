using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>Builds the normalization layer a <see cref="NormSpec"/> asks for, for a given channel count.</summary>
public static class NormFactory
{
    /// <summary>BatchNorm2d(C), GroupNorm(G, C) or Identity.</summary>
    /// <exception cref="ArgumentException">GroupNorm whose group count does not divide the channels.</exception>
    public static nn.Module<Tensor, Tensor> Create(NormSpec spec, long channels) => spec.Kind switch
    {
        NormKind.Batch => nn.BatchNorm2d(channels),
        NormKind.Group when channels % spec.Groups == 0 => UnitGroupNorm(spec.Groups, channels),
        // A silent fallback would change the model behind the user's back; say which layer cannot take G.
        NormKind.Group => throw new ArgumentException(
            $"norm group({spec.Groups}) cannot normalize a layer with {channels} channels: the group count must divide every layer's channels (try a power of two such as group(8))."),
        _ => nn.Identity(),
    };

    // TorchSharp 0.107's GroupNorm leaves its affine parameters uninitialised (torch.empty); PyTorch starts them at 1 and 0.
    static nn.Module<Tensor, Tensor> UnitGroupNorm(long groups, long channels)
    {
        var norm = nn.GroupNorm(groups, channels);
        using var _ = no_grad();
        norm.weight.fill_(1);
        norm.bias!.fill_(0);
        return norm;
    }
}
