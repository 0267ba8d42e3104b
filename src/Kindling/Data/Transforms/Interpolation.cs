namespace Kindling.Data.Transforms;

/// <summary>Interpolation of resampling transforms, as torchvision's <c>InterpolationMode</c>.</summary>
public enum Interpolation
{
    /// <summary>Nearest neighbour (torchvision's <c>NEAREST</c>).</summary>
    Nearest,
    /// <summary>Bilinear (torchvision's <c>BILINEAR</c>).</summary>
    Bilinear,
    /// <summary>Bicubic (torchvision's <c>BICUBIC</c>; resizing only).</summary>
    Bicubic,
}
