using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using TorchSharp;

namespace Kindling.Tests.Data.Loading;

public class MultiViewLoaderTests
{
    /// <summary>One epoch as arrays: every view of every batch (dense NCHW), the labels and the indices.</summary>
    static List<(float[][] Views, long[] Labels, int[] Indices)> Epoch(DataLoader loader)
    {
        var result = new List<(float[][], long[], int[])>();
        foreach (var batch in loader)
            using (batch)
                result.Add(([.. batch.Views.Select(v => v.contiguous().data<float>().ToArray())], batch.Labels.data<long>().ToArray(), batch.Indices.ToArray()));
        return result;
    }

    /// <summary>Sample <paramref name="index"/> as read: uint8 [C,H,W].</summary>
    static torch.Tensor Raw(IImageDataset data, int index)
    {
        var (pixels, _) = data.GetImage(index, PixelLayout.Chw);
        return torch.tensor(pixels, torch.uint8).reshape(data.Shape.Channels, data.Shape.Height, data.Shape.Width);
    }

    [Fact]
    public void TheSimClrAugmentationCreatesNoTensorOutsideAScope()
    {
        // What a loader thread runs: a temporary no scope holds can be finalized mid-call by a collection the training thread
        // triggers (docs/ARCHITECTURE.md, "Threads"). Here on the consuming thread (num_workers 0), where the count is visible.
        var data = TestData.Images(24, height: 12, width: 12);
        var augment = new Compose(new RandomResizedCrop(8, scale: (0.2, 1.0)), new RandomHorizontalFlip(0.5),
            new RandomApply([new ColorJitter(0.4, 0.4, 0.4, 0.1)], 0.8), new RandomGrayscale(0.2));
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 3 }, new MultiView(augment, 2));
        long before = DisposeScopeManager.Statistics.CreatedOutsideScopeCount;
        int batches = 0;
        foreach (var batch in loader)
            using (batch)
            {
                Assert.Equal(2, batch.Views.Count);
                batches++;
            }
        Assert.Equal(3, batches);
        Assert.Equal(0, DisposeScopeManager.Statistics.CreatedOutsideScopeCount - before);
    }

    [Fact]
    public void ViewsOfOneSampleDifferAndEachIsItsPipelineUnderItsOwnSeed()
    {
        var data = TestData.Images(13);
        var scale = new TransformOf((x, rng) => x.to_type(torch.float32).div(255).mul(rng.NextDouble() + 0.5));
        var views = new MultiView(new RandomFlipAndNoise(), new RandomFlipAndNoise(), scale);
        var options = new DataLoaderOptions { BatchSize = 5, Shuffle = true, Seed = 7 };
        using var loader = new DataLoader(data, options, views);
        Assert.Equal(3, loader.ViewCount);
        loader.SetEpoch(2);
        int position = 0;
        foreach (var batch in loader)
            using (batch)
            {
                Assert.Equal(3, batch.Views.Count);
                Assert.Same(batch.Views[0], batch.Images);
                for (int k = 0; k < batch.Count; k++, position++)
                {
                    int index = batch.Indices[k];
                    using var scope = torch.NewDisposeScope();
                    Assert.False(batch.Views[0][k].equal(batch.Views[1][k]).all().item<bool>(), $"views 0 and 1 of sample {index} are equal");
                    for (int v = 0; v < 3; v++)
                    {
                        var expected = views.ApplyView(v, Raw(data, index), new Random(SamplerSeeds.ForSample(7, 2, position, index, v)));
                        Assert.Equal(expected.data<float>().ToArray(), batch.Views[v][k].contiguous().data<float>().ToArray());
                    }
                }
            }
        Assert.Equal(13, position);

        // View 0 draws with the plain sample seed: a single-view loader with view 0's pipeline gives the same images.
        using var plain = new DataLoader(data, options, new RandomFlipAndNoise());
        using var multi = new DataLoader(data, options, views);
        var single = DataLoaderTests.Epoch(plain);
        var several = Epoch(multi);
        for (int b = 0; b < single.Count; b++) Assert.Equal(single[b].Images, several[b].Views[0]);
    }

    [Fact]
    public void ViewsAreIdenticalForZeroOneAndTwoWorkers()
    {
        var data = TestData.Images(23);
        var options = new DataLoaderOptions { BatchSize = 4, Shuffle = true, Seed = 5 };
        List<(float[][] Views, long[] Labels, int[] Indices)>[] Run(int workers)
        {
            using var loader = new DataLoader(data, options with { NumWorkers = workers }, new MultiView(new RandomFlipAndNoise(), views: 2));
            return [Epoch(loader), Epoch(loader)];
        }
        var reference = Run(0);
        Assert.NotEqual(reference[0][0].Views[0], reference[0][0].Views[1]);
        Assert.NotEqual(reference[0][0].Views[1], reference[1][0].Views[1]); // draws differ by epoch
        // Both epochs flattened, view by view: equal arrays mean the same batches, samples, labels and views.
        static float[] Pixels(List<(float[][] Views, long[] Labels, int[] Indices)>[] run) =>
            [.. run.SelectMany(epoch => epoch).SelectMany(b => b.Views.SelectMany(view => view))];
        static long[] Samples(List<(float[][] Views, long[] Labels, int[] Indices)>[] run) =>
            [.. run.SelectMany(epoch => epoch).SelectMany(b => b.Indices.Select(i => (long)i).Concat(b.Labels).Append(b.Views.Length))];
        foreach (var workers in new[] { 1, 2 })
        {
            var run = Run(workers);
            Assert.Equal(Samples(reference), Samples(run));
            Assert.Equal(Pixels(reference), Pixels(run));
        }
    }

    [Fact]
    public void ChannelsLastViewsAreEachOneNhwcBlock()
    {
        var data = TestData.Images(6);
        var views = new MultiView(new RandomFlipAndNoise(), views: 2);
        using var plain = new DataLoader(data, new DataLoaderOptions { BatchSize = 6, Seed = 1 }, views);
        using var last = new DataLoader(data, new DataLoaderOptions { BatchSize = 6, Seed = 1, ChannelsLast = true, NumWorkers = 1 }, views);
        using var a = plain.First();
        using var c = last.First();
        for (int v = 0; v < 2; v++)
        {
            Assert.Equal(new long[] { 6, 3, 4, 5 }, c.Views[v].shape);
            Assert.Equal(new long[] { 60, 1, 15, 3 }, c.Views[v].stride());
            Assert.True(c.Views[v].permute(0, 2, 3, 1).is_contiguous());
            Assert.True(a.Views[v].is_contiguous());
            Assert.Equal(a.Views[v].data<float>().ToArray(), c.Views[v].contiguous().data<float>().ToArray());
        }
    }

    [Fact]
    public void ASingleViewBatchHasImagesAsItsOnlyView()
    {
        using var loader = new DataLoader(TestData.Images(4), new DataLoaderOptions { BatchSize = 4 }, new RandomFlipAndNoise());
        Assert.Equal(1, loader.ViewCount);
        using var batch = loader.First();
        Assert.Single(batch.Views);
        Assert.Same(batch.Images, batch.Views[0]);
        Assert.True(batch.HasLabels);
    }

    [Fact]
    public void ViewsMayDifferInSizeAndAnInPlaceViewDoesNotLeakIntoTheNext()
    {
        var data = TestData.Images(3);
        var erase = new TransformOf((x, _) => x.fill_(0)); // in place on its input
        var corner = new TransformOf((x, _) => x.narrow(1, 0, 2).narrow(2, 0, 3));
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 3 }, new MultiView(erase, corner));
        using var batch = loader.First();
        Assert.Equal(new long[] { 3, 3, 4, 5 }, batch.Views[0].shape);
        Assert.Equal(new long[] { 3, 3, 2, 3 }, batch.Views[1].shape);
        Assert.Equal(0f, batch.Views[0].abs().sum().item<float>());
        using var expected = Raw(data, 2).narrow(1, 0, 2).narrow(2, 0, 3).to_type(torch.float32).div(255);
        Assert.Equal(expected.contiguous().data<float>().ToArray(), batch.Views[1][2].contiguous().data<float>().ToArray());
    }

    [Fact]
    public void DisposingTheBatchFreesEveryView()
    {
        using var loader = new DataLoader(TestData.Images(4), new DataLoaderOptions { BatchSize = 2 }, new MultiView(new RandomFlipAndNoise(), views: 2));
        var batch = loader.First();
        var views = batch.Views.ToArray();
        var labels = batch.Labels;
        batch.Dispose();
        Assert.All(views, v => Assert.True(v.IsInvalid));
        Assert.True(labels.IsInvalid);
    }

    [Fact]
    public void MultiViewNeedsAtLeastOneView()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiView(new RandomFlipAndNoise(), views: 0));
        Assert.Throws<ArgumentException>(() => new MultiView());
    }
}
