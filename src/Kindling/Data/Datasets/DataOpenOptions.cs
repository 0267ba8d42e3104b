namespace Kindling.Data.Datasets;

/// <summary>How <see cref="DataSpec.Open"/> finds and reads data.</summary>
public sealed record DataOpenOptions
{
    /// <summary>Download the official files into the cache when the spec names no path and nothing is cached yet.</summary>
    public bool Download { get; init; }

    /// <summary>The cache folder; <see cref="DatasetDownloader.DefaultCacheDirectory"/> ($KINDLING_DATA or ~/.cache/kindling/datasets) when null.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Fetch downloads from <c>BaseUrl + file name</c> instead of the official addresses.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>How image folders are read (color, resize, strictness, warnings).</summary>
    public ImageFolderOptions ImageFolder { get; init; } = new();

    /// <summary>Receives warnings and download progress; null discards them.</summary>
    public Action<string>? Log { get; init; }
}
