using Kindling.Data.Loading;

namespace Kindling.Tests.Data.Loading;

public class SamplerTests
{
    [Fact]
    public void SequentialIsInOrder() => Assert.Equal(Enumerable.Range(0, 7), new SequentialSampler(7).Indices(3));

    [Fact]
    public void RandomIsAPermutationThatDiffersByEpochAndRepeatsBySeed()
    {
        var s = new RandomSampler(100, seed: 5);
        var e0 = s.Indices(0).ToArray();
        Assert.Equal(Enumerable.Range(0, 100), e0.Order());
        Assert.NotEqual(e0, s.Indices(1).ToArray());
        Assert.Equal(e0, new RandomSampler(100, seed: 5).Indices(0));
        Assert.NotEqual(e0, new RandomSampler(100, seed: 6).Indices(0).ToArray());
    }

    [Fact]
    public void RandomWithReplacementAndNumSamples()
    {
        var with = new RandomSampler(10, replacement: true, numSamples: 1000, seed: 1).Indices(0).ToArray();
        Assert.Equal(1000, with.Length);
        Assert.All(with, i => Assert.InRange(i, 0, 9));
        Assert.True(with.Distinct().Count() == 10);
        // Without replacement, more than the data set repeats whole permutations (as PyTorch).
        var without = new RandomSampler(10, numSamples: 25, seed: 1).Indices(0).ToArray();
        Assert.Equal(25, without.Length);
        Assert.Equal(Enumerable.Range(0, 10), without[..10].Order());
        Assert.Equal(Enumerable.Range(0, 10), without[10..20].Order());
    }

    [Fact]
    public void SubsetRandomPermutesTheSubset()
    {
        int[] subset = [3, 9, 12, 40, 41];
        var s = new SubsetRandomSampler(subset, seed: 2);
        Assert.Equal(5, s.Count);
        Assert.Equal(subset, s.Indices(0).Order());
    }

    [Fact]
    public void WeightedFrequenciesFollowTheWeights()
    {
        double[] weights = [1, 2, 0, 7];
        var draws = new WeightedRandomSampler(weights, 20000, seed: 3).Indices(0).ToArray();
        var counts = new int[4];
        foreach (var d in draws) counts[d]++;
        Assert.Equal(0, counts[2]);
        for (int i = 0; i < 4; i++)
            Assert.InRange(counts[i] / 20000.0, weights[i] / 10 - 0.02, weights[i] / 10 + 0.02);
    }

    [Fact]
    public void WeightedWithoutReplacementDrawsDistinctPositiveIndices()
    {
        var draws = new WeightedRandomSampler([1, 0, 1, 1, 5], 4, replacement: false, seed: 4).Indices(0).ToArray();
        Assert.Equal([0, 2, 3, 4], draws.Order());
        Assert.Throws<ArgumentException>(() => new WeightedRandomSampler([1, 0, 1], 3, replacement: false));
        Assert.Throws<ArgumentException>(() => new WeightedRandomSampler([1, -1], 3));
    }

    [Fact]
    public void DistributedPadsLikePyTorchAndCoversEverything()
    {
        // PyTorch: 10 samples on 3 replicas -> 4 each, order padded with its first 2 indices, rank r takes order[r::3].
        var ranks = Enumerable.Range(0, 3).Select(r => new DistributedSampler(10, 3, r, shuffle: false)).ToArray();
        Assert.All(ranks, s => Assert.Equal(4, s.Count));
        Assert.Equal([0, 3, 6, 9], ranks[0].Indices(0));
        Assert.Equal([1, 4, 7, 0], ranks[1].Indices(0));
        Assert.Equal([2, 5, 8, 1], ranks[2].Indices(0));

        var shuffled = Enumerable.Range(0, 3).Select(r => new DistributedSampler(10, 3, r, seed: 7).Indices(2).ToArray()).ToArray();
        Assert.Equal(Enumerable.Range(0, 10), shuffled.SelectMany(x => x).Distinct().Order());
        Assert.Equal(12, shuffled.Sum(x => x.Length));

        // drop_last: 10 on 3 -> 3 each, 9 distinct indices, no padding.
        var dropped = Enumerable.Range(0, 3).Select(r => new DistributedSampler(10, 3, r, seed: 7, dropLast: true).Indices(0).ToArray()).ToArray();
        Assert.All(dropped, d => Assert.Equal(3, d.Length));
        Assert.Equal(9, dropped.SelectMany(x => x).Distinct().Count());

        // More replicas than samples: padding repeats the order as often as needed.
        Assert.Equal([0], new DistributedSampler(2, 5, 4, shuffle: false).Indices(0));
    }
}
