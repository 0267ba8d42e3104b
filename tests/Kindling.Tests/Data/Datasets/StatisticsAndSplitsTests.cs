using Kindling.Data.Datasets;

namespace Kindling.Tests.Data.Datasets;

public class StatisticsAndSplitsTests
{
    /// <summary>A data set with random pixels and a skewed class balance: 60 / 30 / 10 samples.</summary>
    static InMemoryImageDataset Skewed(int seed = 1)
    {
        var random = new Random(seed);
        var shape = new ImageShape(3, 4, 5);
        var labels = Enumerable.Range(0, 100).Select(i => i % 10 == 0 ? 2 : i % 10 < 4 ? 1 : 0).ToArray();
        var pixels = new byte[labels.Length * shape.Size];
        random.NextBytes(pixels);
        return new InMemoryImageDataset("skewed", pixels, labels, ["a", "b", "c"], shape);
    }

    [Fact]
    public void StatisticsMatchADirectPopulationComputation()
    {
        var d = Skewed();
        var s = ChannelStatistics.Compute(d);
        var pixels = d.Pixels.ToArray();
        for (int c = 0; c < 3; c++)
        {
            var values = pixels.Where((_, i) => i % 3 == c).Select(v => v / 255.0).ToArray();
            double mean = values.Average();
            double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
            Assert.Equal(mean, s.Mean[c], 1e-12);
            Assert.Equal(std, s.Std[c], 1e-12);
        }
        // Independent of the number of workers.
        Assert.Equal(s.Mean, ChannelStatistics.Compute(d, maxDegreeOfParallelism: 1).Mean);
    }

    [Fact]
    public void StatisticsOfASubsetUseOnlyItsSamples()
    {
        var d = Skewed();
        var sub = new SubsetDataset(d, [3]);
        var image = d.GetImage(3).Pixels;
        Assert.Equal(image.Where((_, i) => i % 3 == 1).Average(v => v / 255.0), ChannelStatistics.Compute(sub).Mean[1], 1e-12);
    }

    [Fact]
    public void HoldoutIsStratifiedDisjointCompleteAndSeeded()
    {
        var d = Skewed();
        var (train, validation) = Splits.StratifiedHoldout(d, 20, seed: 7);
        Assert.Equal(80, train.Count);
        Assert.Equal(20, validation.Count);
        Assert.Equal([12, 6, 2], validation.CountPerClass());
        var all = train.Indices.ToArray().Concat(validation.Indices.ToArray()).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 100), all);
        // Subset samples are the source's samples.
        int v0 = validation.Indices.Span[0];
        Assert.Equal(d.GetImage(v0).Pixels, validation.GetImage(0).Pixels);
        Assert.Equal(d.GetLabel(v0), validation.GetLabel(0));

        var again = Splits.StratifiedHoldout(d, 20, seed: 7).Validation.Indices.ToArray();
        Assert.Equal(validation.Indices.ToArray(), again);
        Assert.NotEqual(validation.Indices.ToArray(), Splits.StratifiedHoldout(d, 20, seed: 8).Validation.Indices.ToArray());
    }

    [Fact]
    public void FractionRoundsAndLargestRemaindersFillTheTotal()
    {
        var d = Skewed();
        var (_, validation) = Splits.StratifiedHoldout(d, 0.15, seed: 0);
        Assert.Equal(15, validation.Count);
        // Exact shares 9, 4.5, 1.5: the two halves go to the lower class index on a tie.
        Assert.Equal([9, 5, 1], validation.CountPerClass());
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.StratifiedHoldout(d, 1.0, seed: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.StratifiedHoldout(d, 100, seed: 0));
    }

    [Fact]
    public void SubsetRejectsIndicesOutsideTheSource()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SubsetDataset(Skewed(), [0, 100]));
        Assert.Contains("100", e.Message);
    }
}
