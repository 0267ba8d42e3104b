using System.Text.Json;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Tests.Data.Loading;
using LoaderData = Kindling.Tests.Data.Loading.TestData;
using TorchSharp;

namespace Kindling.Tests.Data.Datasets;

[Collection("Console")]
public class UnlabelledDataTests
{
    /// <summary>Pictures 0 and 1 at the root, 2 in a subfolder, 3 deeper; a hidden folder's picture and a text file are ignored.</summary>
    static string WritePictures(string root)
    {
        ImageFolderTests.WritePicture(Path.Combine(root, "b.png"), 1);
        ImageFolderTests.WritePicture(Path.Combine(root, "a.png"), 0);
        ImageFolderTests.WritePicture(Path.Combine(root, "cats", "x.png"), 2);
        ImageFolderTests.WritePicture(Path.Combine(root, "cats", "old", "y.png"), 3);
        ImageFolderTests.WritePicture(Path.Combine(root, ".ipynb_checkpoints", "a.png"), 9);
        File.WriteAllText(Path.Combine(root, "notes.txt"), "ignored");
        return root;
    }

    static void AssertPictures(IImageDataset d)
    {
        Assert.False(d.HasLabels);
        Assert.Empty(d.Classes);
        Assert.Equal(4, d.Count);
        Assert.Equal(new ImageShape(3, 2, 3), d.Shape);
        for (int i = 0; i < 4; i++)
        {
            var pixels = new byte[d.Shape.Size];
            Assert.Equal(-1, d.CopyImage(i, pixels));
            var (r, g, b) = ImageFolderTests.Color(i, 1, 2);
            Assert.Equal([r, g, b], pixels[15..18]);
        }
        var e = Assert.Throws<InvalidOperationException>(() => d.GetLabel(0));
        Assert.Contains("has no labels", e.Message);
    }

    [Fact]
    public void ImagesSpecReadsAFolderOfPicturesWithoutLabels()
    {
        using var t = new TempDir();
        var root = WritePictures(t.Sub("pictures"));
        var data = DataSpec.Parse($"images:{root}").Open();
        Assert.Equal($"images:{root}", data.Name);
        Assert.Empty(data.Classes);
        Assert.Null(data.Test);
        AssertPictures(data.Train);
    }

    [Fact]
    public void ImagesSpecReadsAnArchiveOfPictures()
    {
        using var t = new TempDir();
        var archive = TestData.TarGz(WritePictures(t.Sub("pictures")), Path.Combine(t.Path, "pictures.tar.gz"));
        AssertPictures(ImageFolder.LoadUnlabelled(archive));
    }

    [Fact]
    public void ImagesNeedsAPathAndPicturesAndImageFolderPointsToIt()
    {
        Assert.Contains("images:PATH", Assert.Throws<ArgumentException>(() => DataSpec.Parse("images")).Message);
        using var t = new TempDir();
        Directory.CreateDirectory(t.Sub("empty"));
        Assert.Contains("no pictures", Assert.Throws<InvalidDataException>(() => DataSpec.Parse($"images:{t.Sub("empty")}").Open()).Message);
        var flat = t.Sub("flat");
        ImageFolderTests.WritePicture(Path.Combine(flat, "a.png"), 0);
        var e = Assert.Throws<InvalidDataException>(() => DataSpec.Parse($"imagefolder:{flat}").Open());
        Assert.Contains($"images:{flat}", e.Message);
    }

    [Fact]
    public void BatchesOfAnUnlabelledSetHaveNoLabelsAndSaySo()
    {
        using var t = new TempDir();
        var data = DataSpec.Parse($"images:{WritePictures(t.Sub("pictures"))}").Open().Train;
        foreach (var workers in new[] { 0, 2 })
        {
            using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 3, NumWorkers = workers });
            var batches = loader.ToList();
            Assert.Equal(2, batches.Count);
            foreach (var batch in batches)
                using (batch)
                {
                    Assert.False(batch.HasLabels);
                    Assert.Equal(new long[] { batch.Count, 3, 2, 3 }, batch.Images.shape);
                    var e = Assert.Throws<InvalidOperationException>(() => batch.Labels);
                    Assert.Contains(data.Name, e.Message);
                    Assert.Contains("has no labels", e.Message);
                    Assert.Contains("imagefolder:PATH", e.Message);
                }
        }
    }

    [Fact]
    public void AnyDataSetCanBeMarkedUnlabelledAndKeepsItsImages()
    {
        var labelled = LoaderData.Images(10);
        var data = labelled.WithoutLabels();
        Assert.False(data.HasLabels);
        Assert.Empty(data.Classes);
        Assert.Same(data, data.WithoutLabels());
        Assert.Throws<InvalidOperationException>(() => data.GetLabels());
        Assert.Throws<InvalidOperationException>(() => data.CountPerClass());
        Assert.False(new SubsetDataset(data, [1, 2]).HasLabels);
        Assert.False(data.LoadAll().HasLabels);
        Assert.Equal(labelled.Pixels.ToArray(), data.LoadAll().Pixels.ToArray());

        // Two views of unlabelled images: SimCLR's input.
        var options = new DataLoaderOptions { BatchSize = 4, Seed = 3 };
        using var withLabels = new DataLoader(labelled, options, new MultiView(new RandomFlipAndNoise(), views: 2));
        using var without = new DataLoader(data, options, new MultiView(new RandomFlipAndNoise(), views: 2));
        foreach (var (a, b) in withLabels.Zip(without))
            using (a)
            using (b)
            {
                Assert.True(a.HasLabels);
                Assert.False(b.HasLabels);
                Assert.Contains("(unlabelled)", Assert.Throws<InvalidOperationException>(() => b.Labels).Message);
                for (int v = 0; v < 2; v++) Assert.Equal(a.Views[v].data<float>().ToArray(), b.Views[v].data<float>().ToArray());
            }
    }

    [Fact]
    public void HoldoutOfAnUnlabelledSetIsASeededRandomChoice()
    {
        var data = LoaderData.Images(50).WithoutLabels();
        var (train, validation) = Splits.StratifiedHoldout(data, 10, seed: 4);
        Assert.Equal(40, train.Count);
        Assert.Equal(10, validation.Count);
        Assert.False(train.HasLabels);
        Assert.Equal(Enumerable.Range(0, 50), train.Indices.ToArray().Concat(validation.Indices.ToArray()).Order());
        Assert.Equal(validation.Indices.ToArray(), Splits.StratifiedHoldout(data, 10, seed: 4).Validation.Indices.ToArray());
        Assert.NotEqual(validation.Indices.ToArray(), Splits.StratifiedHoldout(data, 10, seed: 5).Validation.Indices.ToArray());
    }

    [Fact]
    public void DataCommandReportsAnUnlabelledSetWithoutClasses()
    {
        using var t = new TempDir();
        var root = WritePictures(t.Sub("pictures"));
        var (code, output, error) = CliRunner.Kindling(["data", "--spec", $"images:{root}", "--json"]);
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.False(json.RootElement.GetProperty("labelled").GetBoolean());
        Assert.Equal(0, json.RootElement.GetProperty("classes").GetArrayLength());
        var train = json.RootElement.GetProperty("splits").GetProperty("train");
        Assert.Equal(4, train.GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKind.Null, train.GetProperty("class_counts").ValueKind);
        var (tableCode, table, tableError) = CliRunner.Kindling(["data", "--spec", $"images:{root}"]);
        Assert.True(tableCode == 0, tableError);
        Assert.Contains("no labels", table);
        Assert.DoesNotContain("per class", table);
    }
}
