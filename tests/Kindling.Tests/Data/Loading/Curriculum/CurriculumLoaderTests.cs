using Kindling.Data.Loading;

namespace Kindling.Tests.Data.Loading.Curriculum;

public class CurriculumLoaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoaderYieldsEachEpochsBatches(bool dropLast)
    {
        var data = TestData.Images(10, channels: 1, height: 2, width: 2);
        var scores = Enumerable.Range(0, 10).Select(i => (double)(9 - i)).ToArray();
        // Linear pools of 2, 3, ..., 10 samples; at least one batch of 3.
        var sampler = new CurriculumSampler(10, scores, totalEpochs: 10, minSamples: 3, seed: 1);
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 3, DropLast = dropLast, Seed = 1 }, sampler: sampler);
        for (int e = 0; e < 10; e++)
        {
            int pool = Math.Max(3, Math.Min(10, 2 + e));
            int expected = dropLast ? pool / 3 : (pool + 2) / 3;
            Assert.Equal(expected, loader.Count);
            Assert.Equal(expected, loader.CountAt(e));
            int batches = 0, samples = 0;
            foreach (var batch in loader)
                using (batch)
                {
                    batches++;
                    samples += batch.Count;
                    // The easiest are the highest indices here.
                    Assert.All(batch.Indices, i => Assert.True(i >= 10 - pool, $"index {i} is not among the {pool} easiest in epoch {e}"));
                }
            Assert.Equal(expected, batches);
            Assert.Equal(dropLast ? expected * 3 : pool, samples);
        }
    }

    [Fact]
    public void SetEpochMovesTheLoadersCount()
    {
        var data = TestData.Images(10, channels: 1, height: 2, width: 2);
        var sampler = new CurriculumSampler(10, new double[10], totalEpochs: 10);
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 4, Seed = 0 }, sampler: sampler);
        Assert.Equal(1, loader.Count);
        loader.SetEpoch(8);
        Assert.Equal(3, loader.Count);
        // Samplers of a fixed size answer every epoch with their Count.
        using var plain = new DataLoader(data, new DataLoaderOptions { BatchSize = 4, Shuffle = true, Seed = 0 });
        Assert.Equal(3, plain.CountAt(5));
    }
}
