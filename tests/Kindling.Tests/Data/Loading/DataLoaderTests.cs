using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using TorchSharp;

namespace Kindling.Tests.Data.Loading;

public class DataLoaderTests
{
    /// <summary>One epoch as plain arrays (disposing every batch).</summary>
    internal static List<(float[] Images, long[] Labels, int[] Indices)> Epoch(DataLoader loader)
    {
        var result = new List<(float[], long[], int[])>();
        foreach (var batch in loader)
            using (batch)
                result.Add((batch.Images.contiguous().data<float>().ToArray(), batch.Labels.data<long>().ToArray(), batch.Indices.ToArray()));
        return result;
    }

    [Fact]
    public void BatchesAreContiguousFloatScaledFromUint8WithInt64Labels()
    {
        var data = TestData.Images(10);
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 4 });
        Assert.Equal(3, loader.Count);
        int b = 0;
        foreach (var batch in loader)
        {
            using (batch)
            {
                int n = b < 2 ? 4 : 2;
                Assert.Equal(new long[] { n, 3, 4, 5 }, batch.Images.shape);
                Assert.Equal(torch.float32, batch.Images.dtype);
                Assert.True(batch.Images.is_contiguous());
                Assert.Equal(torch.int64, batch.Labels.dtype);
                Assert.Equal(new long[] { n }, batch.Labels.shape);
                var images = batch.Images.data<float>().ToArray();
                for (int k = 0; k < n; k++)
                {
                    int index = b * 4 + k;
                    var (pixels, label) = data.GetImage(index, PixelLayout.Chw);
                    Assert.Equal(label, batch.Labels[k].item<long>());
                    for (int p = 0; p < pixels.Length; p++) Assert.Equal(pixels[p] / 255f, images[k * 60 + p]);
                }
            }
            b++;
        }
        Assert.Equal(3, b);
    }

    [Fact]
    public void ChannelsLastHasNchwShapeAndNhwcStridesWithTheSameValues()
    {
        var data = TestData.Images(6);
        using var plain = new DataLoader(data, new DataLoaderOptions { BatchSize = 6 });
        using var last = new DataLoader(data, new DataLoaderOptions { BatchSize = 6, ChannelsLast = true, NumWorkers = 1 });
        using var a = plain.First();
        using var c = last.First();
        Assert.Equal(new long[] { 6, 3, 4, 5 }, c.Images.shape);
        Assert.Equal(new long[] { 60, 1, 15, 3 }, c.Images.stride());
        Assert.True(c.Images.permute(0, 2, 3, 1).is_contiguous()); // one NHWC block
        Assert.Equal(a.Images.data<float>().ToArray(), c.Images.contiguous().data<float>().ToArray());
    }

    [Theory]
    [InlineData(false, 4)]
    [InlineData(true, 3)]
    public void DropLastDecidesTheLastPartialBatch(bool dropLast, int batches)
    {
        using var loader = new DataLoader(TestData.Images(10), new DataLoaderOptions { BatchSize = 3, DropLast = dropLast });
        var epoch = Epoch(loader);
        Assert.Equal(batches, loader.Count);
        Assert.Equal(batches, epoch.Count);
        Assert.Equal(dropLast ? 3 : 1, epoch[^1].Indices.Length);
    }

    [Fact]
    public void WithoutShuffleTheOrderIsSequential()
    {
        using var loader = new DataLoader(TestData.Images(10), new DataLoaderOptions { BatchSize = 3, NumWorkers = 2 });
        var epoch = Epoch(loader);
        Assert.Equal(Enumerable.Range(0, 10), epoch.SelectMany(b => b.Indices));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)(i % 10)), epoch.SelectMany(b => b.Labels));
    }

    [Fact]
    public void ShuffleIsAPermutationThatDiffersByEpochAndRepeatsForTheSameSeedAndEpoch()
    {
        var data = TestData.Images(50);
        var options = new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 11 };
        using var loader = new DataLoader(data, options);
        var e0 = Epoch(loader).SelectMany(b => b.Indices).ToArray();
        Assert.Equal(1, loader.Epoch);
        var e1 = Epoch(loader).SelectMany(b => b.Indices).ToArray();
        Assert.Equal(Enumerable.Range(0, 50), e0.Order());
        Assert.NotEqual(e0, e1);

        using var again = new DataLoader(data, options);
        Assert.Equal(e0, Epoch(again).SelectMany(b => b.Indices));
        again.SetEpoch(1);
        Assert.Equal(e1, Epoch(again).SelectMany(b => b.Indices));
        using var other = new DataLoader(data, options with { Seed = 12 });
        Assert.NotEqual(e0, Epoch(other).SelectMany(b => b.Indices).ToArray());
    }

    [Fact]
    public void ResultsAreIdenticalForZeroOneAndTwoWorkers()
    {
        var data = TestData.Images(37);
        var options = new DataLoaderOptions { BatchSize = 5, Shuffle = true, Seed = 3 };
        List<(float[] Images, long[] Labels, int[] Indices)>[] Run(int workers)
        {
            using var loader = new DataLoader(data, options with { NumWorkers = workers }, new RandomFlipAndNoise());
            return [Epoch(loader), Epoch(loader)];
        }
        var reference = Run(0);
        Assert.NotEqual(reference[0][0].Images, reference[1][0].Images); // the transform draws differ by epoch
        foreach (var workers in new[] { 1, 2 })
        {
            var run = Run(workers);
            for (int e = 0; e < 2; e++)
            {
                Assert.Equal(reference[e].Count, run[e].Count);
                for (int b = 0; b < run[e].Count; b++)
                {
                    Assert.Equal(reference[e][b].Indices, run[e][b].Indices);
                    Assert.Equal(reference[e][b].Labels, run[e][b].Labels);
                    Assert.Equal(reference[e][b].Images, run[e][b].Images);
                }
            }
        }
    }

    [Fact]
    public void FloatTransformResultsAreTakenAsTheyAre()
    {
        var data = TestData.Images(3, channels: 1, height: 2, width: 2);
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 3 }, new TransformOf((x, _) => x.to_type(torch.float32)));
        using var batch = loader.First();
        Assert.Equal(data.Pixels.ToArray().Select(p => (float)p), batch.Images.data<float>().ToArray());
    }

    [Fact]
    public void SamplesOfDifferentShapesInABatchAreNamed()
    {
        var data = TestData.Images(6);
        var crop = new TransformOf((x, _) => x.shape[0] == 3 && x[0, 0, 0].item<byte>() % 2 == 0 ? x.narrow(1, 0, 2).narrow(2, 0, 2) : x);
        var odd = Enumerable.Range(0, 6).First(i => data.GetImage(i, PixelLayout.Chw).Pixels[0] % 2 == 1);
        var even = Enumerable.Range(0, 6).First(i => data.GetImage(i, PixelLayout.Chw).Pixels[0] % 2 == 0);
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 2, Sampler = new FixedSampler([odd, even]) }, crop);
        var e = Assert.Throws<DataLoaderException>(() => Epoch(loader));
        Assert.Equal(even, e.SampleIndex);
        Assert.Contains($"sample {even} came out as [3,2,2] but sample {odd} as [3,4,5]", e.Message);
    }

    [Fact]
    public void InvalidOptionsAreNamedAsInPyTorch()
    {
        var data = TestData.Images(4);
        Assert.Contains("batch_size", Assert.Throws<ArgumentException>(() => new DataLoader(data, new DataLoaderOptions { BatchSize = 0 })).Message);
        Assert.Contains("prefetch_factor", Assert.Throws<ArgumentException>(() => new DataLoader(data, new DataLoaderOptions { PrefetchFactor = 4 })).Message);
        Assert.Contains("persistent_workers", Assert.Throws<ArgumentException>(() => new DataLoader(data, new DataLoaderOptions { PersistentWorkers = true })).Message);
        Assert.Contains("mutually exclusive", Assert.Throws<ArgumentException>(() => new DataLoader(data, new DataLoaderOptions { Shuffle = true }, sampler: new SequentialSampler(4))).Message);
    }

    [Fact]
    public void PinMemoryOnCpuIsANoOp()
    {
        using var loader = new DataLoader(TestData.Images(4), new DataLoaderOptions { BatchSize = 2, PinMemory = true, NumWorkers = 1 });
        Assert.False(loader.PinsMemory);
        Assert.Equal(2, Epoch(loader).Count);
    }

    [Fact]
    public void CustomSamplerDrivesTheOrder()
    {
        using var loader = new DataLoader(TestData.Images(10), new DataLoaderOptions { BatchSize = 2 }, sampler: new FixedSampler([9, 0, 4]));
        Assert.Equal([9, 0, 4], Epoch(loader).SelectMany(b => b.Indices));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void TheConsumerOwnsTheBatchNotItsDisposeScope(int workers)
    {
        using var loader = new DataLoader(TestData.Images(8), new DataLoaderOptions { BatchSize = 4, NumWorkers = workers });
        Batch batch;
        using (torch.NewDisposeScope())
            batch = loader.First();
        Assert.False(batch.Images.IsInvalid);
        Assert.Equal(4, batch.Labels.shape[0]);
        batch.Dispose();
        Assert.True(batch.Images.IsInvalid);
        Assert.True(batch.Labels.IsInvalid);
    }
}
