using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Kindling.Data.Datasets;

/// <summary>
/// Downloads official data set files into a cache, as torchvision's <c>download=True</c>: the MD5 is checked,
/// an interrupted download resumes from its <c>.part</c> file with an HTTP range request, and the file appears
/// under its name only once complete and verified (written to <c>.part</c>, then renamed).
/// </summary>
public sealed class DatasetDownloader : IDisposable
{
    readonly HttpClient http;
    readonly bool ownsHttp;

    /// <param name="cacheDirectory">Where files go; <see cref="DefaultCacheDirectory"/> when null.</param>
    /// <param name="baseUrl">When set, every file is fetched from <c>baseUrl + file name</c> instead of its official addresses (a mirror, or a test server).</param>
    /// <param name="http">The client to use; one is made (and disposed) when null.</param>
    public DatasetDownloader(string? cacheDirectory = null, Uri? baseUrl = null, HttpClient? http = null)
    {
        CacheDirectory = cacheDirectory ?? DefaultCacheDirectory;
        BaseUrl = baseUrl;
        ownsHttp = http is null;
        this.http = http ?? new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
    }

    /// <summary>$KINDLING_DATA when set, else ~/.cache/kindling/datasets.</summary>
    public static string DefaultCacheDirectory =>
        Environment.GetEnvironmentVariable("KINDLING_DATA") is { Length: > 0 } env
            ? env
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "kindling", "datasets");

    /// <summary>Where files are kept.</summary>
    public string CacheDirectory { get; }

    /// <summary>The address that replaces the official ones, if any.</summary>
    public Uri? BaseUrl { get; }

    /// <summary>Tries per file (each resumes where the last stopped).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Wait before a retry, multiplied by the attempt number.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Receives progress lines (file fetched, resumed, verified); null discards them.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Makes sure every file of <paramref name="kind"/> (see <see cref="DownloadResource.For"/>) is in <c>CacheDirectory/kind</c>; returns that folder.</summary>
    public string EnsureAll(string kind, CancellationToken cancellation = default)
    {
        var folder = Path.Combine(CacheDirectory, kind);
        foreach (var resource in DownloadResource.For(kind))
            Ensure(resource, folder, cancellation);
        return folder;
    }

    /// <summary>Synchronous <see cref="EnsureAsync"/>.</summary>
    public string Ensure(DownloadResource resource, string folder, CancellationToken cancellation = default) =>
        EnsureAsync(resource, folder, cancellation).GetAwaiter().GetResult();

    /// <summary>
    /// Returns the path of <paramref name="resource"/> in <paramref name="folder"/>, downloading it first unless a verified copy is there.
    /// A finished download whose MD5 differs is deleted and reported (URL, expected and actual MD5).
    /// </summary>
    public async Task<string> EnsureAsync(DownloadResource resource, string folder, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(folder);
        string final = Path.Combine(folder, resource.FileName), part = final + ".part";
        if (File.Exists(final))
        {
            if (await Md5Async(final, cancellation) == resource.Md5) return final;
            Log?.Invoke($"{final}: checksum differs from {resource.Md5}; downloading it again.");
            File.Delete(final);
        }
        var urls = BaseUrl is null ? resource.Urls : [new Uri(BaseUrl, resource.FileName).ToString()];
        Exception? last = null;
        string? from = null;
        for (int attempt = 1; attempt <= MaxAttempts && from is null; attempt++)
        {
            if (attempt > 1) await Task.Delay(RetryDelay * (attempt - 1), cancellation);
            foreach (var url in urls)
            {
                try
                {
                    await FetchAsync(url, part, cancellation);
                    from = url;
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancellation.IsCancellationRequested)
                {
                    last = e;
                    Log?.Invoke($"{url}: {e.Message} (attempt {attempt} of {MaxAttempts}{(File.Exists(part) ? $"; {new FileInfo(part).Length} bytes kept in {part} to resume" : "")})");
                }
            }
        }
        if (from is null)
            throw new IOException($"could not download {resource.FileName} from {string.Join(" or ", urls)} after {MaxAttempts} attempt(s): {last?.Message}. " +
                $"Run again to resume from {part}, or put the file at {final} yourself.", last);
        string actual = await Md5Async(part, cancellation);
        if (actual != resource.Md5)
        {
            File.Delete(part);
            throw new InvalidDataException($"{from}: the downloaded file's MD5 is {actual} but expected {resource.Md5}; the partial file was deleted. " +
                "The download was corrupted or the file changed at its source: try again, or fetch it by hand and check it.");
        }
        File.Move(part, final, overwrite: true);
        Log?.Invoke($"{final}: downloaded from {from}, MD5 verified.");
        return final;
    }

    async Task FetchAsync(string url, string part, CancellationToken cancellation)
    {
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        // Everything was already there: the checksum decides.
        if (have > 0 && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) return;
        response.EnsureSuccessStatusCode();
        bool resumed = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        if (resumed) Log?.Invoke($"{url}: resuming after {have} bytes.");
        long expected = (resumed ? have : 0) + (response.Content.Headers.ContentLength ?? -1);
        await using (var file = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        await using (var body = await response.Content.ReadAsStreamAsync(cancellation))
            await body.CopyToAsync(file, cancellation);
        long got = new FileInfo(part).Length;
        if (response.Content.Headers.ContentLength is not null && got != expected)
            throw new IOException($"the connection ended after {got} of {expected} bytes");
    }

    static async Task<string> Md5Async(string path, CancellationToken cancellation)
    {
        await using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(await MD5.HashDataAsync(f, cancellation));
    }

    public void Dispose()
    {
        if (ownsHttp) http.Dispose();
    }
}
