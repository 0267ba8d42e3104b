using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Generative.Diffusion;

/// <summary>
/// The U-Net's block: GroupNorm, SiLU, 3x3 convolution; plus the time embedding projected to the block's channels and added
/// to every position (when the U-Net embeds time this way); GroupNorm, SiLU, 3x3 convolution; and a residual connection
/// (a 1x1 convolution when the channel count changes). DDPM's ResNet block without dropout and attention.
/// </summary>
public sealed class TimeResidualBlock : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly GroupNorm norm1, norm2;
    readonly Conv2d conv1, conv2;
    readonly Linear? time;
    readonly Conv2d? skip;

    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="timeChannels">Width of the time embedding added in the block; 0: none (the time map was concatenated to the input instead).</param>
    public TimeResidualBlock(long inChannels, long outChannels, long timeChannels) : base(nameof(TimeResidualBlock))
    {
        norm1 = Norm(inChannels);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        norm2 = Norm(outChannels);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1);
        if (timeChannels > 0) time = nn.Linear(timeChannels, outChannels);
        if (inChannels != outChannels) skip = nn.Conv2d(inChannels, outChannels, 1);
        RegisterComponents();
    }

    /// <summary>GroupNorm over <paramref name="channels"/> in <see cref="Groups"/> groups, weight 1 and bias 0 as PyTorch starts them.</summary>
    public static GroupNorm Norm(long channels)
    {
        var norm = nn.GroupNorm(Groups(channels), channels);
        // TorchSharp 0.107's GroupNorm leaves its affine parameters uninitialised (torch.empty), as Models/Blocks/NormFactory notes.
        using var _ = no_grad();
        norm.weight!.fill_(1);
        norm.bias!.fill_(0);
        return norm;
    }

    /// <summary>Groups of GroupNorm: 8 (or fewer when the channels are not a multiple of 8), as small U-Nets use.</summary>
    public static long Groups(long channels)
    {
        long g = 8;
        while (channels % g != 0) g--;
        return g;
    }

    /// <param name="input">[N, in, H, W].</param>
    /// <param name="embedding">[N, timeChannels] after its activation, or null for a block without time.</param>
    public override Tensor forward(Tensor input, Tensor? embedding)
    {
        using var scope = NewDisposeScope();
        var h = conv1.forward(nn.functional.silu(norm1.forward(input)));
        if (time is not null)
        {
            if (embedding is null) throw new ArgumentException("this block adds the time embedding: pass it.");
            h = h + time.forward(embedding).unsqueeze(-1).unsqueeze(-1);
        }
        h = conv2.forward(nn.functional.silu(norm2.forward(h)));
        return (h + (skip is null ? input : skip.forward(input))).MoveToOuterDisposeScope();
    }
}
