namespace Kindling.Data.Transforms;

/// <summary>The image operations of RandAugment and TrivialAugment (torchvision's <c>_apply_op</c> names).</summary>
public enum AugmentOp
{
    /// <summary>No change.</summary>
    Identity,
    /// <summary>Horizontal shear by atan(magnitude) degrees about the top-left corner.</summary>
    ShearX,
    /// <summary>Vertical shear by atan(magnitude) degrees about the top-left corner.</summary>
    ShearY,
    /// <summary>Horizontal shift by int(magnitude) pixels.</summary>
    TranslateX,
    /// <summary>Vertical shift by int(magnitude) pixels.</summary>
    TranslateY,
    /// <summary>Rotation by magnitude degrees.</summary>
    Rotate,
    /// <summary>Brightness factor 1 + magnitude.</summary>
    Brightness,
    /// <summary>Saturation factor 1 + magnitude.</summary>
    Color,
    /// <summary>Contrast factor 1 + magnitude.</summary>
    Contrast,
    /// <summary>Sharpness factor 1 + magnitude.</summary>
    Sharpness,
    /// <summary>Keep int(magnitude) bits.</summary>
    Posterize,
    /// <summary>Invert values at or above magnitude (on the 0..255 scale).</summary>
    Solarize,
    /// <summary>Stretch each channel to the full range.</summary>
    AutoContrast,
    /// <summary>Histogram equalization.</summary>
    Equalize,
}
