using Kindling.Data.Loading;

namespace Kindling.Tests.Data.Loading.Curriculum;

public class CurriculumSamplerTests
{
    // Ten samples whose difficulty is a shuffled 0..9, so the ranking is not the index order.
    static readonly double[] Scores = [5, 2, 9, 0, 7, 3, 8, 1, 6, 4];

    static CurriculumSampler Sampler(PacingKind kind, double fullDataAt = 0.8, int minSamples = 1, long seed = 0) =>
        new(10, Scores, totalEpochs: 10, new CurriculumPacing { Kind = kind, FullDataAt = fullDataAt }, minSamples, seed);

    static int[] Sizes(CurriculumSampler s) => [.. Enumerable.Range(0, 10).Select(s.CountAt)];

    // N = 10, T = 10, b = 0.2, full data from epoch 8 (p = e / 8); sizes are floor(10 * fraction).
    [Theory]
    [InlineData(PacingKind.Linear, new[] { 2, 3, 4, 5, 6, 7, 8, 9, 10, 10 })]   // 0.2 + 0.1 e
    [InlineData(PacingKind.Root, new[] { 2, 4, 6, 6, 7, 8, 8, 9, 10, 10 })]     // 0.2 + 0.8 sqrt(e / 8)
    [InlineData(PacingKind.Exponential, new[] { 2, 2, 2, 3, 4, 5, 6, 8, 10, 10 })] // 0.2^(1 - e / 8)
    [InlineData(PacingKind.Step, new[] { 2, 2, 4, 4, 6, 6, 8, 8, 10, 10 })]     // 4 steps of 0.2, each two epochs
    public void PoolSizesFollowThePacing(PacingKind kind, int[] expected) => Assert.Equal(expected, Sizes(Sampler(kind)));

    [Fact]
    public void FullDataAtOneIsTheSeedsFormula()
    {
        // int(10 * (0.2 + 0.8 e / 10)): the seed's pacing, which reaches all data only after training.
        Assert.Equal([2, 2, 3, 4, 5, 6, 6, 7, 8, 9], Sizes(Sampler(PacingKind.Linear, fullDataAt: 1)));
    }

    [Fact]
    public void PoolNeverGoesBelowMinSamplesNorAboveTheDataSet()
    {
        Assert.Equal([4, 4, 4, 5, 6, 7, 8, 9, 10, 10], Sizes(Sampler(PacingKind.Linear, minSamples: 4)));
        Assert.Equal(10, Sampler(PacingKind.Linear, minSamples: 50).CountAt(0));
        Assert.Equal(10, Sampler(PacingKind.Exponential).CountAt(1000));
    }

    [Theory]
    [InlineData(PacingKind.Linear)]
    [InlineData(PacingKind.Root)]
    [InlineData(PacingKind.Exponential)]
    [InlineData(PacingKind.Step)]
    public void EachEpochIsExactlyTheEasiestAndCountMatches(PacingKind kind)
    {
        var s = Sampler(kind, seed: 3);
        int[] easiestFirst = [3, 7, 1, 5, 9, 0, 8, 4, 6, 2];
        Assert.Equal(easiestFirst, s.Ranking);
        for (int e = 0; e < 12; e++)
        {
            var indices = s.Indices(e).ToArray();
            Assert.Equal(s.CountAt(e), indices.Length);
            Assert.Equal(easiestFirst[..indices.Length].Order(), indices.Order());
            s.SetEpoch(e);
            Assert.Equal(indices.Length, s.Count);
        }
        // All data by the end.
        Assert.Equal(Enumerable.Range(0, 10), s.Indices(9).Order());
    }

    [Fact]
    public void TiesAreBrokenByIndex()
    {
        var s = new CurriculumSampler(6, [1, 0, 1, 0, 1, 0], totalEpochs: 1, new CurriculumPacing { InitialFraction = 0.5, FullDataAt = 1 });
        Assert.Equal([1, 3, 5, 0, 2, 4], s.Ranking);
        Assert.Equal([1, 3, 5], s.Indices(0).Order());
    }

    [Fact]
    public void ShuffleDiffersByEpochAndRepeatsBySeed()
    {
        var scores = Enumerable.Range(0, 100).Select(i => (double)i).ToArray();
        var pacing = new CurriculumPacing { InitialFraction = 0.5, FullDataAt = 1 };
        var s = new CurriculumSampler(100, scores, totalEpochs: 100, pacing, seed: 7);
        // Epochs 0 and 1 have the same 50-sample pool (floor(100 * 0.505) = 50), so only the order differs.
        var e0 = s.Indices(0).ToArray();
        var e1 = s.Indices(1).ToArray();
        Assert.Equal(e0.Order(), e1.Order());
        Assert.NotEqual(e0, e1);
        Assert.NotEqual(Enumerable.Range(0, 50), e0);
        Assert.Equal(e0, s.Indices(0));
        Assert.Equal(e0, new CurriculumSampler(100, scores, 100, pacing, seed: 7).Indices(0));
        Assert.NotEqual(e0, new CurriculumSampler(100, scores, 100, pacing, seed: 8).Indices(0).ToArray());
    }

    [Fact]
    public void BadInputIsRejectedWithClearErrors()
    {
        var tooFew = Assert.Throws<ArgumentException>(() => new CurriculumSampler(10, [1, 2, 3], 5));
        Assert.Contains("3 difficulty scores for a data set of 10", tooFew.Message);
        var nan = Assert.Throws<ArgumentException>(() => new CurriculumSampler(3, [1, double.NaN, 3], 5));
        Assert.Contains("sample 1 is NaN", nan.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CurriculumSampler(3, [1, 2, 3], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CurriculumSampler(3, [1, 2, 3], 5, minSamples: 0));
        foreach (var bad in new[] { 0, -0.1, 1.5, double.NaN })
        {
            Assert.Contains("initial_fraction", Assert.Throws<ArgumentOutOfRangeException>(() => new CurriculumSampler(3, [1, 2, 3], 5, new CurriculumPacing { InitialFraction = bad })).Message);
            Assert.Contains("full_data_at", Assert.Throws<ArgumentOutOfRangeException>(() => new CurriculumSampler(3, [1, 2, 3], 5, new CurriculumPacing { FullDataAt = bad })).Message);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new CurriculumSampler(3, [1, 2, 3], 5, new CurriculumPacing { Kind = PacingKind.Step, Steps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CurriculumSampler(3, [1, 2, 3], 5).Indices(-1));
    }
}
