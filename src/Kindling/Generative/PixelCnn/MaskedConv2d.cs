using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Generative.PixelCnn;

/// <summary>
/// PixelCNN's masked convolution (van den Oord et al. 2016, seed 004 section 1.3): a square convolution whose kernel sees only
/// the rows above the centre and, on the centre row, the columns left of it; type B also sees the centre itself. Stacked with
/// a type A first layer, no output pixel depends on its own input pixel or on any later one (raster order).
/// </summary>
/// <remarks>
/// The mask is applied in <see cref="forward"/> (<c>conv2d(x, weight * mask)</c>): the weight's data is never rewritten. The
/// seed's <c>self.weight.data *= self.mask</c> in forward also gives masked outputs, but it edits the parameter behind the
/// optimizer's back, so Adam's moments keep pushing the masked entries and the stored weights are not what the optimizer
/// computed. Here the masked entries simply get zero gradient (the product's derivative), and their values never matter.
/// </remarks>
public sealed class MaskedConv2d : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv;
    readonly Tensor mask;
    readonly long padding;

    /// <param name="type">'A' (first layer: the centre pixel is hidden) or 'B' (later layers: the centre is seen).</param>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">An odd side (7 in the seed), padded to keep the image size.</param>
    public MaskedConv2d(char type, long inChannels, long outChannels, int kernelSize) : base($"MaskedConv2d{type}")
    {
        if (type is not ('A' or 'B')) throw new ArgumentException($"mask type '{type}' is not known: expected 'A' or 'B'.", nameof(type));
        if (kernelSize < 1 || kernelSize % 2 == 0) throw new ArgumentException($"kernel size {kernelSize}: expected an odd size >= 1.", nameof(kernelSize));
        Type = type;
        padding = kernelSize / 2;
        conv = nn.Conv2d(inChannels, outChannels, kernelSize, padding: padding);
        mask = Mask(type, kernelSize);
        // Not persistent: the mask follows from the type and the size, so the state dict is the convolution's own (as PyTorch's
        // nn.Conv2d names it) and a checkpoint carries only what was trained. Registered, so it follows the module's device.
        register_buffer("mask", mask, persistent: false);
        RegisterComponents();
    }

    /// <summary>'A' or 'B'.</summary>
    public char Type { get; }

    /// <summary>The convolution whose weight is masked (its parameters are the module's).</summary>
    public Conv2d Conv => conv;

    /// <summary>The [1, 1, k, k] mask of <paramref name="type"/>: 1 above the centre row and left of the centre, and at the centre for 'B'.</summary>
    public static Tensor Mask(char type, int kernelSize)
    {
        var m = zeros(1, 1, kernelSize, kernelSize);
        int c = kernelSize / 2;
        m[.., .., ..c, ..] = tensor(1f);
        m[.., .., c, ..c] = tensor(1f);
        if (type == 'B') m[.., .., c, c] = tensor(1f);
        return m;
    }

    public override Tensor forward(Tensor input)
    {
        using var weight = conv.weight! * mask;
        return nn.functional.conv2d(input, weight, conv.bias, padding: [padding, padding]);
    }
}
