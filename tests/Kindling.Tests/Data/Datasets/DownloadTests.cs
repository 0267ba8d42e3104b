using System.Security.Cryptography;
using Kindling.Data.Datasets;

namespace Kindling.Tests.Data.Datasets;

public class DownloadTests
{
    static byte[] Content(int size, int seed)
    {
        var b = new byte[size];
        new Random(seed).NextBytes(b);
        return b;
    }

    static string Md5(byte[] b) => Convert.ToHexStringLower(MD5.HashData(b));

    [Fact]
    public void DownloadsVerifiesAndReusesTheCachedFile()
    {
        using var server = new LoopbackHttpServer();
        using var t = new TempDir();
        var content = Content(100_000, 1);
        server.Add("a.bin", content);
        using var downloader = new DatasetDownloader(t.Path, server.BaseUrl);
        var resource = new DownloadResource("a.bin", Md5(content), ["https://unreachable.invalid/a.bin"]);
        var path = downloader.Ensure(resource, Path.Combine(t.Path, "x"));
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".part"));
        Assert.Equal(path, downloader.Ensure(resource, Path.Combine(t.Path, "x")));
        Assert.Single(server.Requests); // the second call found a verified copy
    }

    [Fact]
    public void WrongChecksumDeletesTheFileAndNamesUrlAndBothSums()
    {
        using var server = new LoopbackHttpServer();
        using var t = new TempDir();
        var content = Content(5000, 2);
        server.Add("bad.bin", content);
        using var downloader = new DatasetDownloader(t.Path, server.BaseUrl);
        var expected = new string('0', 32);
        var e = Assert.Throws<InvalidDataException>(() => downloader.Ensure(new DownloadResource("bad.bin", expected, []), t.Path));
        Assert.Contains(new Uri(server.BaseUrl, "bad.bin").ToString(), e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains(Md5(content), e.Message);
        Assert.Empty(Directory.GetFiles(t.Path));
    }

    [Fact]
    public void DroppedConnectionLeavesAPartFileThatTheNextAttemptResumes()
    {
        using var server = new LoopbackHttpServer();
        using var t = new TempDir();
        var content = Content(300_000, 3);
        server.Add("big.bin", content, dropAfterBytesOnce: 120_000);
        var resource = new DownloadResource("big.bin", Md5(content), []);
        using (var once = new DatasetDownloader(t.Path, server.BaseUrl) { MaxAttempts = 1 })
        {
            var e = Assert.Throws<IOException>(() => once.Ensure(resource, t.Path));
            Assert.Contains("big.bin", e.Message);
        }
        var part = Path.Combine(t.Path, "big.bin.part");
        Assert.True(File.Exists(part));
        long kept = new FileInfo(part).Length;
        Assert.InRange(kept, 1, 120_000);
        Assert.False(File.Exists(Path.Combine(t.Path, "big.bin")));

        using var again = new DatasetDownloader(t.Path, server.BaseUrl) { MaxAttempts = 1 };
        var path = again.Ensure(resource, t.Path);
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Equal($"bytes={kept}-", server.Requests.Last().Range);
        Assert.False(File.Exists(part));
    }

    [Fact]
    public void RetriesWithinOneCallResumeToo()
    {
        using var server = new LoopbackHttpServer();
        using var t = new TempDir();
        var content = Content(200_000, 4);
        server.Add("r.bin", content, dropAfterBytesOnce: 50_000);
        using var downloader = new DatasetDownloader(t.Path, server.BaseUrl) { MaxAttempts = 3, RetryDelay = TimeSpan.Zero };
        var path = downloader.Ensure(new DownloadResource("r.bin", Md5(content), []), t.Path);
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal("", server.Requests.First().Range);
        Assert.StartsWith("bytes=", server.Requests.Last().Range);
    }

    [Fact]
    public void SpecWithoutPathDownloadsIntoTheCacheAndOpensTheArchive()
    {
        using var server = new LoopbackHttpServer();
        using var t = new TempDir();
        var archive = TestData.TarGz(TestData.Oracle("cifar", "p2", "cifar-10-batches-py"), Path.Combine(t.Path, "c.tar.gz"));
        var bytes = File.ReadAllBytes(archive);
        // The catalogue names the official binary archive and its official MD5, which our tiny archive cannot match.
        server.Add("cifar-10-binary.tar.gz", bytes);
        var options = new DataOpenOptions { Download = true, CacheDirectory = t.Sub("cache"), BaseUrl = server.BaseUrl };
        var e = Assert.Throws<InvalidDataException>(() => DataSpec.Parse("cifar10").Open(options));
        Assert.Contains("c32a1d4ab5d03f1284b67883e8d87530", e.Message);

        // Without download, the message says where it looked and how to get the data.
        var missing = Assert.Throws<DirectoryNotFoundException>(() => DataSpec.Parse("cifar10").Open(options with { Download = false }));
        Assert.Contains(Path.Combine(t.Path, "cache", "cifar10"), missing.Message);
        Assert.Contains("--download", missing.Message);

        // A cached copy is used as is.
        File.Copy(archive, Path.Combine(t.Path, "cache", "cifar10", "cifar-10-binary.tar.gz"));
        var d = DataSpec.Parse("cifar10").Open(options with { Download = false });
        Assert.Equal(5, d.Train.Count);
    }

    [Fact]
    public void OfficialCatalogueHasTorchvisionChecksums()
    {
        Assert.Equal("c58f30108f718f92721af3b95e74349a", DownloadResource.For("cifar10-python")[0].Md5);
        Assert.Equal("eb9058c3a382ffc7106e4002c42a8d85", DownloadResource.For("cifar100-python")[0].Md5);
        var fashion = DownloadResource.For("fashion-mnist");
        Assert.Equal(4, fashion.Count);
        Assert.Equal("8d4fb7e6c68d591d4c3dfef9ec88bf0d", fashion[0].Md5);
        Assert.StartsWith("https://ossci-datasets.s3.amazonaws.com/mnist/", DownloadResource.For("mnist")[0].Urls[0]);
    }
}
