using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Generative.PixelCnn;

/// <summary>
/// The seed's PixelCNN: a type A masked convolution, then type B masked convolutions each followed by a ReLU, then a 1x1
/// convolution to <see cref="PixelCnnOptions.Levels"/> logits per channel and pixel. Input: pixels scaled to [0, 1]
/// ([N, C, H, W]); output: logits [N, Levels, C, H, W] (cross-entropy's class dimension second, as PyTorch's K-dimensional form wants).
/// </summary>
/// <remarks>
/// As in the seed, the masks are spatial only: with several channels, every channel of a pixel is predicted from the earlier
/// pixels (all channels) and the channels of one pixel are independent given them: a proper, if weaker, autoregressive model.
/// The seed has no ReLU after the type A layer; neither has this (the PyTorch reference is the same network).
/// </remarks>
public sealed class PixelCnnNetwork : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<nn.Module<Tensor, Tensor>> layers = new();
    readonly Conv2d output;
    readonly long channels;

    /// <param name="imageChannels">Channels of the images (1 for Fashion-MNIST).</param>
    /// <param name="options">Layers, width, kernel and levels.</param>
    public PixelCnnNetwork(int imageChannels, PixelCnnOptions options) : base(nameof(PixelCnnNetwork))
    {
        if (options.Layers < 1) throw new ArgumentException($"layers {options.Layers}: expected >= 1 (a type A layer, then type B ones).", nameof(options));
        if (options.Channels < 1 || options.Levels < 2) throw new ArgumentException("channels must be >= 1 and levels >= 2.", nameof(options));
        Options = options;
        channels = imageChannels;
        layers.Add(new MaskedConv2d('A', imageChannels, options.Channels, options.KernelSize));
        for (int i = 1; i < options.Layers; i++)
        {
            layers.Add(new MaskedConv2d('B', options.Channels, options.Channels, options.KernelSize));
            layers.Add(nn.ReLU());
        }
        output = nn.Conv2d(options.Channels, (long)options.Levels * imageChannels, 1);
        RegisterComponents();
    }

    /// <summary>The network's shape.</summary>
    public PixelCnnOptions Options { get; }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var layer in layers) x = layer.forward(x);
        var logits = output.forward(x);
        // [N, levels * C, H, W] -> [N, levels, C, H, W]: channel c's logits are output channels c*levels .. (c+1)*levels-1.
        var shaped = logits.view(logits.shape[0], channels, Options.Levels, logits.shape[2], logits.shape[3]).transpose(1, 2);
        return shaped.MoveToOuterDisposeScope();
    }
}
