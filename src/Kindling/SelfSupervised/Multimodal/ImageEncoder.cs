using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised.Multimodal;

/// <summary>
/// The multimodal demo's image side: three 3x3 convolution-BatchNorm-ReLU stages of w, 2w and 4w channels (the first two
/// halving the size), global average pooling and a linear map to the joint space (<c>proj</c>). Small enough for a few
/// minutes on a CPU.
/// </summary>
public sealed class ImageEncoder : nn.Module<Tensor, Tensor>
{
    readonly Sequential features;
    readonly Linear proj;

    /// <param name="channels">Image channels.</param>
    /// <param name="width">Channels of the first stage w.</param>
    /// <param name="outDim">Width of the joint embedding space.</param>
    public ImageEncoder(int channels, int width, int outDim) : base(nameof(ImageEncoder))
    {
        features = nn.Sequential(
            ("conv1", nn.Conv2d(channels, width, 3, padding: 1, bias: false)), ("bn1", nn.BatchNorm2d(width)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(width, 2 * width, 3, padding: 1, bias: false)), ("bn2", nn.BatchNorm2d(2 * width)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("conv3", nn.Conv2d(2 * width, 4 * width, 3, padding: 1, bias: false)), ("bn3", nn.BatchNorm2d(4 * width)), ("relu3", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()));
        proj = nn.Linear(4 * width, outDim);
        RegisterComponents();
    }

    /// <summary>Embeddings [N, out] of images [N, C, H, W].</summary>
    public override Tensor forward(Tensor images) => proj.call(features.call(images));
}
