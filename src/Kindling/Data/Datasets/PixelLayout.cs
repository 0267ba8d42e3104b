namespace Kindling.Data.Datasets;

/// <summary>Order of an image's values: height-width-channel (as decoded) or channel-height-width (as PyTorch tensors).</summary>
public enum PixelLayout
{
    Hwc,
    Chw,
}
