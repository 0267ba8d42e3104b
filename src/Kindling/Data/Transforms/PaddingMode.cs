namespace Kindling.Data.Transforms;

/// <summary>How padding fills the border, as torchvision's <c>padding_mode</c>.</summary>
public enum PaddingMode
{
    /// <summary>A constant <c>fill</c> value (torchvision's "constant"; zero padding is fill 0).</summary>
    Constant,
    /// <summary>The edge value repeated (torchvision's "edge", PyTorch's "replicate").</summary>
    Edge,
    /// <summary>Mirror without repeating the edge: [1,2,3,4] padded by 2 is [3,2,1,2,3,4,3,2].</summary>
    Reflect,
    /// <summary>Mirror repeating the edge: [1,2,3,4] padded by 2 is [2,1,1,2,3,4,4,3].</summary>
    Symmetric,
}
