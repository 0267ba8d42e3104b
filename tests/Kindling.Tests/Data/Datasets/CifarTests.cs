using Kindling.Data.Datasets;

namespace Kindling.Tests.Data.Datasets;

public class CifarTests
{
    static readonly string[] Cifar10Names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The official binary layout: five train batches of one image (labels 1, 4, 7, 0, 3), a test batch of two (7, 2).</summary>
    static string WriteCifar10Binary(string root, Func<int, int, byte>? label = null)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, "cifar-10-batches-bin")).FullName;
        int[] train = [1, 4, 7, 0, 3];
        for (int b = 0; b < 5; b++)
            File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b + 1}.bin"), [label?.Invoke(b, train[b]) ?? (byte)train[b], .. TestData.CifarChw(b)]);
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), [7, .. TestData.CifarChw(5), 2, .. TestData.CifarChw(6)]);
        File.WriteAllText(Path.Combine(dir, "batches.meta.txt"), string.Join("\n", Cifar10Names) + "\n\n");
        return dir;
    }

    static string WriteCifar100Binary(string root)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, "cifar-100-binary")).FullName;
        // (coarse, fine) byte pairs, the official order.
        File.WriteAllBytes(Path.Combine(dir, "train.bin"), [13, 99, .. TestData.CifarChw(0), 4, 0, .. TestData.CifarChw(1), 8, 42, .. TestData.CifarChw(2)]);
        File.WriteAllBytes(Path.Combine(dir, "test.bin"), [0, 55, .. TestData.CifarChw(3), 1, 1, .. TestData.CifarChw(4)]);
        File.WriteAllLines(Path.Combine(dir, "fine_label_names.txt"), Enumerable.Range(0, 100).Select(i => $"fine{i:D2}"));
        File.WriteAllLines(Path.Combine(dir, "coarse_label_names.txt"), Enumerable.Range(0, 20).Select(i => $"coarse{i:D2}"));
        return dir;
    }

    static void AssertCifar10(DataSplits d)
    {
        Assert.Equal(Cifar10Names, d.Classes);
        Assert.Equal(new ImageShape(3, 32, 32), d.Train.Shape);
        Assert.Equal([1, 4, 7, 0, 3], d.Train.GetLabels());
        Assert.Equal([7, 2], d.Test!.GetLabels());
        for (int g = 0; g < 5; g++) TestData.AssertCifarImage(g, d.Train.GetImage(g).Pixels);
        for (int g = 0; g < 2; g++) TestData.AssertCifarImage(5 + g, d.Test!.GetImage(g).Pixels);
        // CHW out of the HWC store gives back the official plane order.
        Assert.Equal(TestData.CifarChw(6), d.Test!.GetImage(1, PixelLayout.Chw).Pixels);
    }

    static void AssertCifar100(DataSplits d, CifarLabels labels)
    {
        Assert.Equal(labels == CifarLabels.Fine ? 100 : 20, d.Classes.Count);
        Assert.Equal(labels == CifarLabels.Fine ? "fine42" : "coarse08", d.Classes[labels == CifarLabels.Fine ? 42 : 8]);
        Assert.Equal(labels == CifarLabels.Fine ? [99, 0, 42] : [13, 4, 8], d.Train.GetLabels());
        Assert.Equal(labels == CifarLabels.Fine ? [55, 1] : [0, 1], d.Test!.GetLabels());
        for (int g = 0; g < 3; g++) TestData.AssertCifarImage(g, d.Train.GetImage(g).Pixels);
        for (int g = 0; g < 2; g++) TestData.AssertCifarImage(3 + g, d.Test!.GetImage(g).Pixels);
    }

    [Fact]
    public void Cifar10BinaryFolderReadsPixelsLabelsAndNames()
    {
        using var t = new TempDir();
        var dir = WriteCifar10Binary(t.Path);
        AssertCifar10(Cifar.Open10(dir));
        AssertCifar10(Cifar.Open10(t.Path)); // the parent folder finds cifar-10-batches-bin
    }

    [Fact]
    public void Cifar10BinaryArchiveIsReadWithoutExtracting()
    {
        using var t = new TempDir();
        var archive = TestData.TarGz(WriteCifar10Binary(t.Sub("src")), Path.Combine(t.Path, "cifar-10-binary.tar.gz"));
        AssertCifar10(Cifar.Open10(archive));
        Assert.Single(Directory.GetDirectories(t.Path)); // nothing extracted beside the archive
    }

    [Theory]
    [InlineData("py2")] // as the official files: Python 2 str keys and raw data (BINSTRING)
    [InlineData("p2")]
    [InlineData("p4")]
    public void Cifar10PythonPicklesMatchTheOracle(string protocol)
    {
        AssertCifar10(Cifar.Open10(TestData.Oracle("cifar", protocol, "cifar-10-batches-py")));
        using var t = new TempDir();
        AssertCifar10(Cifar.Open10(TestData.TarGz(TestData.Oracle("cifar", protocol, "cifar-10-batches-py"), Path.Combine(t.Path, "cifar-10-python.tar.gz"))));
    }

    [Theory]
    [InlineData("p2", CifarLabels.Fine)]
    [InlineData("p2", CifarLabels.Coarse)]
    [InlineData("p4", CifarLabels.Fine)]
    [InlineData("p4", CifarLabels.Coarse)]
    public void Cifar100PythonPicklesGiveFineOrCoarseLabels(string protocol, CifarLabels labels)
    {
        AssertCifar100(Cifar.Open100(TestData.Oracle("cifar", protocol), labels), labels);
        using var t = new TempDir();
        AssertCifar100(Cifar.Open100(TestData.TarGz(TestData.Oracle("cifar", protocol, "cifar-100-python"), Path.Combine(t.Path, "cifar-100-python.tar.gz")), labels), labels);
    }

    [Theory]
    [InlineData(CifarLabels.Fine)]
    [InlineData(CifarLabels.Coarse)]
    public void Cifar100BinaryFolderAndArchive(CifarLabels labels)
    {
        using var t = new TempDir();
        var dir = WriteCifar100Binary(t.Sub("src"));
        AssertCifar100(Cifar.Open100(dir, labels), labels);
        AssertCifar100(Cifar.Open100(TestData.TarGz(dir, Path.Combine(t.Path, "cifar-100-binary.tar.gz")), labels), labels);
    }

    [Fact]
    public void TruncatedBatchNamesTheFileAndTheRecordSize()
    {
        using var t = new TempDir();
        var dir = WriteCifar10Binary(t.Path);
        var batch = TestData.Truncate(Path.Combine(dir, "data_batch_3.bin"), 2000);
        var e = Assert.Throws<InvalidDataException>(() => Cifar.Open10(dir));
        Assert.Contains(batch, e.Message);
        Assert.Contains("3073-byte records", e.Message);
    }

    [Fact]
    public void BatchCutOnARecordBoundaryIsRefused()
    {
        using var t = new TempDir();
        var dir = WriteCifar10Binary(t.Path);
        // Every batch holds two records except data_batch_4, cut after its first: it still parses as whole records.
        for (int b = 0; b < 5; b++)
            if (b != 3) File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b + 1}.bin"), [1, .. TestData.CifarChw(b), 2, .. TestData.CifarChw(b + 1)]);
        var e = Assert.Throws<InvalidDataException>(() => Cifar.Open10(dir));
        Assert.StartsWith($"{Path.Combine(dir, "data_batch_4.bin")}: 1 records, but the other train batches hold 2 each (the official files hold 10,000 each)", e.Message);
    }

    [Fact]
    public void Cifar100TrainCutOnARecordBoundaryIsRefusedWhenTheTestSplitIsTheOfficialOne()
    {
        using var t = new TempDir();
        var dir = WriteCifar100Binary(t.Path);
        // The official test.bin's 10,000 records (all zeros: labels 0, black images) say the archive is the official
        // one, so train.bin's 3 records are a cut file; the small archive above, with 2 test records, loads as before.
        File.WriteAllBytes(Path.Combine(dir, "test.bin"), new byte[10_000 * 3074]);
        var e = Assert.Throws<InvalidDataException>(() => Cifar.Open100(dir));
        Assert.StartsWith($"{Path.Combine(dir, "train.bin")}: 3 training records, but the test split holds the official 10,000, so the official 50,000 were expected", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeNamesTheFileAndTheRange()
    {
        using var t = new TempDir();
        var dir = WriteCifar10Binary(t.Path, (b, l) => b == 2 ? (byte)12 : (byte)l);
        var e = Assert.Throws<InvalidDataException>(() => Cifar.Open10(dir));
        Assert.Contains("data_batch_3.bin", e.Message);
        Assert.Contains("label 12", e.Message);
        Assert.Contains("0..9", e.Message);
    }

    [Fact]
    public void MissingPathSaysWhereToGetTheData()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => Cifar.Open10("/nonexistent/cifar"));
        Assert.Contains("/nonexistent/cifar", e.Message);
        Assert.Contains(Cifar.HomePage, e.Message);
        Assert.Contains("download", e.Message);
    }

    [Fact]
    public void TruncatedArchiveIsReportedWithItsPath()
    {
        using var t = new TempDir();
        var archive = TestData.TarGz(WriteCifar10Binary(t.Sub("src")), Path.Combine(t.Path, "cifar-10-binary.tar.gz"));
        TestData.Truncate(archive, new FileInfo(archive).Length / 2);
        var e = Assert.Throws<InvalidDataException>(() => Cifar.Open10(archive));
        Assert.Contains(archive, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void MissingBatchIsNamed()
    {
        using var t = new TempDir();
        var dir = WriteCifar10Binary(t.Path);
        File.Delete(Path.Combine(dir, "data_batch_5.bin"));
        var e = Assert.Throws<FileNotFoundException>(() => Cifar.Open10(dir));
        Assert.Contains("data_batch_5.bin", e.Message);
    }

    [Fact]
    public void DamagedPickleIsReportedWithItsFile()
    {
        using var t = new TempDir();
        var dir = t.Sub("cifar-10-batches-py");
        foreach (var f in Directory.GetFiles(TestData.Oracle("cifar", "p2", "cifar-10-batches-py")))
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        var batch = TestData.Truncate(Path.Combine(dir, "data_batch_2"), 300);
        var e = Assert.Throws<InvalidDataException>(() => Cifar.Open10(dir));
        Assert.Contains(batch, e.Message);
    }
}
