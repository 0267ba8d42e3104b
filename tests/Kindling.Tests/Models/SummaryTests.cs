using System.Text.Json;
using Kindling.Models;
using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Tests.Models;

/// <summary>`kindling summary` and <see cref="ModelSummary"/>: the real shape journey, parameters and MACs.</summary>
[Collection("Console")]
public class SummaryTests
{
    public SummaryTests() => TorchRuntime.EnsureLoaded();

    // The seeds' journey for a batch of 256 CIFAR images, corrected: padded convs keep 32x32, each pool halves.
    static readonly (string Name, long[] Shape)[] SeedJourney =
    {
        ("features.block1.conv1", new long[] { 256, 64, 32, 32 }),
        ("features.block1.bn1", new long[] { 256, 64, 32, 32 }),
        ("features.block1.relu1", new long[] { 256, 64, 32, 32 }),
        ("features.block1.conv2", new long[] { 256, 64, 32, 32 }),
        ("features.block1.bn2", new long[] { 256, 64, 32, 32 }),
        ("features.block1.relu2", new long[] { 256, 64, 32, 32 }),
        ("features.block1.pool", new long[] { 256, 64, 16, 16 }),
        ("features.block1.drop", new long[] { 256, 64, 16, 16 }),
        ("features.block2.conv1", new long[] { 256, 128, 16, 16 }),
        ("features.block2.bn1", new long[] { 256, 128, 16, 16 }),
        ("features.block2.relu1", new long[] { 256, 128, 16, 16 }),
        ("features.block2.conv2", new long[] { 256, 128, 16, 16 }),
        ("features.block2.bn2", new long[] { 256, 128, 16, 16 }),
        ("features.block2.relu2", new long[] { 256, 128, 16, 16 }),
        ("features.block2.pool", new long[] { 256, 128, 8, 8 }),
        ("features.block2.drop", new long[] { 256, 128, 8, 8 }),
        ("features.block3.conv1", new long[] { 256, 256, 8, 8 }),
        ("features.block3.bn1", new long[] { 256, 256, 8, 8 }),
        ("features.block3.relu1", new long[] { 256, 256, 8, 8 }),
        ("features.block3.conv2", new long[] { 256, 256, 8, 8 }),
        ("features.block3.bn2", new long[] { 256, 256, 8, 8 }),
        ("features.block3.relu2", new long[] { 256, 256, 8, 8 }),
        ("features.block3.pool", new long[] { 256, 256, 4, 4 }),
        ("features.block3.drop", new long[] { 256, 256, 4, 4 }),
        ("features.block4.conv1", new long[] { 256, 512, 4, 4 }),
        ("features.block4.bn1", new long[] { 256, 512, 4, 4 }),
        ("features.block4.relu1", new long[] { 256, 512, 4, 4 }),
        ("features.block4.conv2", new long[] { 256, 512, 4, 4 }),
        ("features.block4.bn2", new long[] { 256, 512, 4, 4 }),
        ("features.block4.relu2", new long[] { 256, 512, 4, 4 }),
        ("features.block4.pool", new long[] { 256, 512, 2, 2 }),
        ("features.block4.drop", new long[] { 256, 512, 2, 2 }),
        ("classifier.flatten", new long[] { 256, 2048 }),
        ("classifier.fc1", new long[] { 256, 1024 }),
        ("classifier.relu1", new long[] { 256, 1024 }),
        ("classifier.drop1", new long[] { 256, 1024 }),
        ("classifier.fc2", new long[] { 256, 512 }),
        ("classifier.relu2", new long[] { 256, 512 }),
        ("classifier.drop2", new long[] { 256, 512 }),
        ("classifier.fc3", new long[] { 256, 100 }),
    };

    [Fact]
    public void SeedCnnJourneyHasTheRealShapes()
    {
        var (code, output, error) = CliRunner.Kindling("summary", "--model", "seed-cnn", "--input", "3x32x32", "--classes", "100", "--batch", "256", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var layers = json.RootElement.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(SeedJourney.Select(s => s.Name), layers.Select(l => l.GetProperty("name").GetString()));
        for (int i = 0; i < layers.Count; i++)
            Assert.Equal(SeedJourney[i].Shape, layers[i].GetProperty("output_shape").EnumerateArray().Select(v => v.GetInt64()));
        // conv: out_elems x in_ch x 3 x 3; linear: in x out.
        Assert.Equal(32L * 32 * 64 * 3 * 9, layers[0].GetProperty("macs").GetInt64());
        Assert.Equal(2048L * 1024, layers[33].GetProperty("macs").GetInt64());
        Assert.Equal(2048L * 1024 + 1024, layers[33].GetProperty("parameters").GetInt64());
        using var model = new SeedCnn(100);
        Assert.Equal(model.parameters().Sum(p => p.numel()), json.RootElement.GetProperty("total_parameters").GetInt64());
        Assert.Equal(new long[] { 256, 3, 32, 32 }, json.RootElement.GetProperty("input").EnumerateArray().Select(v => v.GetInt64()));
    }

    [Fact]
    public void TableShowsTheJourneyAndTotals()
    {
        var (code, output, error) = CliRunner.Kindling("summary", "--model", "seed-cnn", "--classes", "100");
        Assert.True(code == 0, error);
        Assert.Contains("features.block4.pool", output);
        Assert.Contains("(1, 512, 2, 2)", output);
        Assert.Contains("(1, 2048)", output);
        Assert.Contains("parameters  7,361,572", output);
        Assert.Contains("MACs", output);
    }

    public static TheoryData<string> AllNames() => new(ModelRegistry.Names);

    [Theory]
    [MemberData(nameof(AllNames))]
    public void EveryRegisteredModelSummarizes(string name)
    {
        var (code, output, error) = CliRunner.Kindling("summary", "--model", name, "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.NotEmpty(layers);
        // Every parameter lives in exactly one leaf layer, and each runs once.
        Assert.Equal(root.GetProperty("total_parameters").GetInt64(), layers.Sum(l => l.GetProperty("parameters").GetInt64()));
        Assert.Equal(layers.Count, layers.Select(l => l.GetProperty("name").GetString()).Distinct().Count());
        Assert.True(root.GetProperty("total_macs").GetInt64() > 0);
        Assert.True(root.GetProperty("activation_bytes").GetInt64() > 0);
        var last = layers[^1].GetProperty("output_shape").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        Assert.Equal(new long[] { 1, ModelRegistry.Info(name).DefaultClasses }, last);
    }

    [Fact]
    public void KnownMacCounts()
    {
        // torchvision ResNet-18 at 224: 1.814 GMACs (convs and fc; plus BN and pooling by this summary's rules).
        using var model = ModelRegistry.Create("resnet18");
        var s = ModelSummary.Of(model, new long[] { 3, 224, 224 });
        long convAndLinear = s.Layers.Where(l => l.Type is "Conv2d" or "Linear").Sum(l => l.Macs);
        Assert.InRange(convAndLinear, 1_810_000_000, 1_820_000_000);
        // ViT attention: 2 N^2 D per block with N = 65 tokens, D = 192.
        using var vit = ModelRegistry.Create("vit-tiny-cifar", new ModelOptions { Depth = 1 });
        var v = ModelSummary.Of(vit, new long[] { 3, 32, 32 });
        Assert.Equal(2L * 65 * 65 * 192, v.Layers.Single(l => l.Type == "ScaledDotProductAttention").Macs);
        Assert.Equal(new long[] { 1, 65, 192 }, v.Layers.Single(l => l.Type == "TokenEmbedding").OutputShape);
    }

    [Fact]
    public void ActivationMemoryScalesWithTheBatchAndSkipsInPlaceLayers()
    {
        using var model = new SeedCnn(100);
        model.train();
        var one = ModelSummary.Of(model, new long[] { 3, 32, 32 });
        var many = ModelSummary.Of(model, new long[] { 3, 32, 32 }, 8);
        Assert.True(model.training, "the summary must restore training mode");
        Assert.Equal(8 * one.ActivationBytes, many.ActivationBytes);
        // Input, convs, BNs, pools and linears allocate; in-place ReLUs, eval dropout and flatten do not.
        long elements = 3 * 32 * 32 + one.Layers.Where(l => l.Type is "Conv2d" or "BatchNorm2d" or "MaxPool2d" or "Linear")
            .Sum(l => l.OutputShape.Aggregate(1L, (a, b) => a * b));
        Assert.Equal(4 * elements, one.ActivationBytes);
    }

    [Fact]
    public void BadInputsAreClearErrors()
    {
        var (code, _, error) = CliRunner.Kindling("summary", "--model", "nope");
        Assert.Equal(1, code);
        Assert.Contains("Known models:", error);
        (code, _, error) = CliRunner.Kindling("summary", "--model", "resnet18", "--input", "3x32");
        Assert.Equal(1, code);
        Assert.Contains("CxHxW", error);
        (code, _, error) = CliRunner.Kindling("summary", "--model", "seed-cnn", "--input", "3x8x8");
        Assert.Equal(1, code);
        Assert.Contains("16x16", error);
    }

    [Fact]
    public void HeadlessModelSummarizesToItsFeatures()
    {
        var (code, output, error) = CliRunner.Kindling("summary", "--model", "resnet18-cifar", "--classes", "0", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.DoesNotContain(layers, l => l.GetProperty("name").GetString() == "fc");
        Assert.Equal(new long[] { 1, 512 }, layers[^1].GetProperty("output_shape").EnumerateArray().Select(v => v.GetInt64()).ToArray());
        Assert.Equal(512, root.GetProperty("num_features").GetInt64());
        Assert.Equal(0, root.GetProperty("num_classes").GetInt32());
        (code, output, error) = CliRunner.Kindling("summary", "--model", "seed-cnn", "--classes", "0");
        Assert.True(code == 0, error);
        Assert.Contains("features    512 (headless", output);
    }
}
