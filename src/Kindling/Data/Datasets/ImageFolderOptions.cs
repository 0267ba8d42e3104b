namespace Kindling.Data.Datasets;

/// <summary>How <see cref="ImageFolder.Load"/> reads <c>root/&lt;class&gt;/*.png|jpg|jpeg|bmp|webp</c> (and <see cref="ImageFolder.LoadUnlabelled"/> a folder of pictures).</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Channels of the result; RGB by default, as torchvision's default loader.</summary>
    public ImageColorMode Color { get; init; } = ImageColorMode.Rgb;

    /// <summary>Resize every picture to this height (with <see cref="ResizeWidth"/>); null keeps the sizes, which must then all agree.</summary>
    public int? ResizeHeight { get; init; }

    /// <summary>Resize every picture to this width (with <see cref="ResizeHeight"/>).</summary>
    public int? ResizeWidth { get; init; }

    /// <summary>Fail on the first picture that cannot be decoded instead of skipping it with a warning.</summary>
    public bool Strict { get; init; }

    /// <summary>Decoding threads; at most the logical cores by default.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Receives warnings (one line listing the pictures that were skipped); null discards them.</summary>
    public Action<string>? Warning { get; init; }
}
