using System.Text.Json;

namespace Kindling.Tests.Data.Datasets;

/// <summary>Console output is process-wide: these tests do not run beside others that redirect it.</summary>
[CollectionDefinition("Console", DisableParallelization = true)]
public class ConsoleCollection;

[Collection("Console")]
public class DataCommandTests
{
    static (int Code, string Out, string Error) Kindling(params string[] args) => CliRunner.Kindling(args);

    [Fact]
    public void JsonReportsEverySplit()
    {
        var (code, output, error) = Kindling("data", "--spec", $"cifar10:{TestData.Oracle("cifar", "p2")}", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal($"cifar10:{TestData.Oracle("cifar", "p2")}", root.GetProperty("spec").GetString());
        Assert.Equal("airplane", root.GetProperty("classes")[0].GetString());
        var train = root.GetProperty("splits").GetProperty("train");
        Assert.Equal(5, train.GetProperty("count").GetInt32());
        Assert.Equal([3, 32, 32], train.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([1, 1, 0, 1, 1, 0, 0, 1, 0, 0], train.GetProperty("class_counts").EnumerateArray().Select(e => e.GetInt32()));
        // Channel 0 mean over the five train images of the fixture formula.
        double mean = 0;
        for (int g = 0; g < 5; g++)
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++)
                    mean += TestData.CifarPixel(g, 0, y, x);
        Assert.Equal(mean / (5 * 1024 * 255), train.GetProperty("mean")[0].GetDouble(), 1e-12);
        var test = root.GetProperty("splits").GetProperty("test");
        Assert.Equal(2, test.GetProperty("count").GetInt32());
        Assert.Equal(3, test.GetProperty("std").GetArrayLength());
    }

    [Fact]
    public void TableNamesCountsAndClasses()
    {
        var (code, output, error) = Kindling("data", "--spec", $"cifar100-coarse:{TestData.Oracle("cifar", "p4")}");
        Assert.True(code == 0, error);
        Assert.Contains("20 classes", output);
        Assert.Contains("3x32x32", output);
        Assert.Contains("coarse13: 1", output);
    }

    [Fact]
    public void BadSpecIsOneClearErrorLine()
    {
        var (code, _, error) = Kindling("data", "--spec", "nope:/x");
        Assert.Equal(1, code);
        Assert.StartsWith("error: data spec 'nope:/x': unknown kind 'nope'", error);
        var (missing, _, message) = Kindling("data", "--spec", "cifar10:/nonexistent/c10");
        Assert.Equal(1, missing);
        Assert.Contains("/nonexistent/c10", message);
    }

    [FashionMnistFact]
    public void RealFashionMnistHasTheKnownStatistics()
    {
        var (code, output, error) = Kindling("data", "--spec", "fashion-mnist", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var splits = json.RootElement.GetProperty("splits");
        var train = splits.GetProperty("train");
        Assert.Equal(60000, train.GetProperty("count").GetInt32());
        Assert.Equal(10000, splits.GetProperty("test").GetProperty("count").GetInt32());
        Assert.Equal([1, 28, 28], train.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(10, json.RootElement.GetProperty("classes").GetArrayLength());
        Assert.Equal(0.2860, train.GetProperty("mean")[0].GetDouble(), 1e-3);
        Assert.Equal(0.3530, train.GetProperty("std")[0].GetDouble(), 1e-3);
    }
}
