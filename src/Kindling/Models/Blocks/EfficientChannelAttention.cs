using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// Efficient Channel Attention (Wang et al. 2020), as the seeds' ECABlock: global average pooling, a
/// bias-free 1-D convolution of adaptive size k across the channel axis, Sigmoid, and the input scaled
/// channel-wise. Submodule <c>conv</c> is the seeds' name.
/// </summary>
public sealed class EfficientChannelAttention : nn.Module<Tensor, Tensor>
{
    readonly AdaptiveAvgPool2d avg_pool;
    readonly Conv1d conv;
    readonly Sigmoid sigmoid;

    /// <param name="channels">Channels C of the feature map.</param>
    /// <param name="gamma">γ of the kernel-size rule (2 in the paper).</param>
    /// <param name="b">b of the kernel-size rule (1 in the paper).</param>
    public EfficientChannelAttention(long channels, double gamma = 2, double b = 1) : base(nameof(EfficientChannelAttention))
    {
        KernelSize = KernelSizeFor(channels, gamma, b);
        avg_pool = nn.AdaptiveAvgPool2d(1);
        conv = nn.Conv1d(1, 1, KernelSize, padding: KernelSize / 2, bias: false);
        sigmoid = nn.Sigmoid();
        RegisterComponents();
    }

    /// <summary>The kernel size k chosen for this block's channels.</summary>
    public int KernelSize { get; }

    /// <summary>
    /// The paper's adaptive kernel size k = |log2(C)/γ + b/γ|, truncated and made odd (even values go up by
    /// one) so the convolution is centred: 64 channels give 3, 256 give 5, 512 give 5.
    /// </summary>
    public static int KernelSizeFor(long channels, double gamma = 2, double b = 1)
    {
        int t = (int)Math.Abs((Math.Log2(channels) + b) / gamma);
        return t % 2 == 1 ? t : t + 1;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        // (B, C, 1, 1) -> (B, 1, C): channels become the sequence the 1-D convolution slides over.
        var y = avg_pool.call(input).squeeze(-1).transpose(-1, -2);
        y = conv.call(y).transpose(-1, -2).unsqueeze(-1);
        return input * sigmoid.call(y);
    }
}
