namespace Kindling.Data.Transforms;

/// <summary>Where the values of an erased box come from.</summary>
internal enum ErasingKind
{
    /// <summary>One value everywhere.</summary>
    Constant,
    /// <summary>One value per channel.</summary>
    PerChannel,
    /// <summary>Standard normal draws (torchvision's <c>value="random"</c>).</summary>
    Random,
}
