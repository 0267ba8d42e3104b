using System.Diagnostics;
using Kindling.Data.Loading;
using TorchSharp;

namespace Kindling.Tests.Data.Loading;

public class DataLoaderWorkerTests
{
    static bool AllGone(IEnumerable<Thread> threads, int waitMs = 2000)
    {
        var sw = Stopwatch.StartNew();
        while (threads.Any(t => t.IsAlive) && sw.ElapsedMilliseconds < waitMs) Thread.Sleep(5);
        return threads.All(t => !t.IsAlive);
    }

    [Fact]
    public void BatchesArriveInOrderEvenWhenAWorkerIsSlow()
    {
        // Worker 0 builds the even batches and is slowed down by the transform; order must still hold.
        var slow = new TransformOf((x, _) => { if (x[0, 0, 0].item<byte>() % 3 == 0) Thread.Sleep(3); return x; });
        using var loader = new DataLoader(TestData.Images(60), new DataLoaderOptions { BatchSize = 3, NumWorkers = 3, PrefetchFactor = 3 }, slow);
        int expected = 0;
        foreach (var batch in loader)
            using (batch)
            {
                Assert.Equal(expected++, batch.Number);
                Assert.Equal(Enumerable.Range(batch.Number * 3, 3), batch.Indices);
            }
        Assert.Equal(20, expected);
    }

    [Fact]
    public void PersistentWorkersAreReusedAcrossEpochs()
    {
        var data = new RecordingDataset(TestData.Images(20));
        var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 2, NumWorkers = 2, PersistentWorkers = true });
        DataLoaderTests.Epoch(loader);
        var first = data.Threads.Keys.ToHashSet();
        data.Threads.Clear();
        DataLoaderTests.Epoch(loader);
        Assert.Equal(2, first.Count);
        Assert.True(first.SetEquals(data.Threads.Keys));
        Assert.All(first, t => Assert.True(t.IsAlive));
        loader.Dispose();
        Assert.True(AllGone(first));
    }

    [Fact]
    public void NonPersistentWorkersAreGoneAfterTheEpoch()
    {
        var data = new RecordingDataset(TestData.Images(20));
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 2, NumWorkers = 2 });
        DataLoaderTests.Epoch(loader);
        var first = data.Threads.Keys.ToArray();
        Assert.Equal(2, first.Length);
        Assert.DoesNotContain(Thread.CurrentThread, first);
        Assert.True(AllGone(first));
        DataLoaderTests.Epoch(loader);
        Assert.Equal(4, data.Threads.Count); // new threads for the second epoch
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BreakingOutMidEpochReturnsQuicklyAndLeavesNoWorkers(bool persistent)
    {
        var data = new RecordingDataset(TestData.Images(400), delayMs: 1);
        var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 4, NumWorkers = 2, PersistentWorkers = persistent });
        var sw = Stopwatch.StartNew();
        foreach (var batch in loader)
        {
            batch.Dispose();
            if (batch.Number == 2) break;
        }
        loader.Dispose();
        Assert.True(sw.ElapsedMilliseconds < 2000, $"took {sw.ElapsedMilliseconds} ms");
        Assert.True(AllGone(data.Threads.Keys));
        Assert.True(data.Reads < 400);
    }

    [Fact]
    public void DisposingTheLoaderWhileTheConsumerWaitsStopsEverything()
    {
        var data = new RecordingDataset(TestData.Images(100), delayMs: 20);
        var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 10, NumWorkers = 2, PersistentWorkers = true });
        using var e = loader.GetEnumerator();
        Assert.True(e.MoveNext());
        e.Current.Dispose();
        var sw = Stopwatch.StartNew();
        loader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => e.MoveNext());
        Assert.True(sw.ElapsedMilliseconds < 2000, $"took {sw.ElapsedMilliseconds} ms");
        Assert.True(AllGone(data.Threads.Keys));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void AWorkerExceptionSurfacesWithTheSampleIndex(int workers)
    {
        var data = new RecordingDataset(TestData.Images(30), failAt: 17);
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 4, NumWorkers = workers });
        var delivered = new List<int>();
        var e = Assert.Throws<DataLoaderException>(() =>
        {
            foreach (var batch in loader) using (batch) delivered.Add(batch.Number);
        });
        Assert.Equal(17, e.SampleIndex);
        Assert.Contains("sample 17 (position 1 of batch 4, epoch 0)", e.Message);
        Assert.Contains("corrupt record", e.Message);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Equal([0, 1, 2, 3], delivered); // the batches before it arrive, in order
        Assert.True(AllGone(data.Threads.Keys.Where(t => t != Thread.CurrentThread)));
    }

    [Fact]
    public void PrefetchIsBoundedByWorkersTimesPrefetchFactor()
    {
        const int workers = 2, prefetch = 3, batchSize = 2;
        var data = new RecordingDataset(TestData.Images(200));
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = batchSize, NumWorkers = workers, PrefetchFactor = prefetch });
        int taken = 0;
        foreach (var batch in loader)
        {
            batch.Dispose();
            if (++taken > 2) break;
            // A slow consumer: as in PyTorch, batches up to (taken + workers * prefetch) may be started, no more.
            int bound = (taken + workers * prefetch) * batchSize;
            var sw = Stopwatch.StartNew();
            while (data.Reads < bound && sw.ElapsedMilliseconds < 3000) Thread.Sleep(2);
            Thread.Sleep(50);
            Assert.Equal(bound, data.Reads);
        }
    }

    [Fact]
    public void WorkerThreadsRunSingleThreadedOpsWithoutChangingTheConsumersSetting()
    {
        int before = torch.get_num_threads();
        var seen = new List<int>();
        var probe = new TransformOf((x, _) => { lock (seen) seen.Add(torch.get_num_threads()); return x; });
        using var loader = new DataLoader(TestData.Images(8), new DataLoaderOptions { BatchSize = 2, NumWorkers = 2 }, probe);
        DataLoaderTests.Epoch(loader);
        Assert.All(seen, n => Assert.Equal(1, n));
        Assert.Equal(before, torch.get_num_threads());
    }
}
