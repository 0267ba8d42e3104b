using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Models;
using Kindling.Runtime;
using Kindling.SelfSupervised;
using Kindling.Tests.Training.Tasks;
using Kindling.Training;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.SelfSupervised;

/// <summary>MoCo and SimCLR resume exactly: weights, the momentum encoder, the queue and its pointer, and every metric.</summary>
/// <remarks>The heads are initialised from torch's process-wide generator after seeding it: no other test may draw in between.</remarks>
[Collection("GlobalGenerator")]
public class MocoResumeTests
{
    public MocoResumeTests() => TorchRuntime.EnsureLoaded();

    static InMemoryImageDataset Pictures()
    {
        var rng = new Random(3);
        int n = 24;
        var pixels = new byte[n * 3 * 8 * 8];
        rng.NextBytes(pixels);
        return new InMemoryImageDataset("noise", pixels, Enumerable.Range(0, n).Select(i => i % 3).ToArray(), ["a", "b", "c"], new ImageShape(3, 8, 8));
    }

    static nn.Module<Tensor, Tensor> Encoder(long seed)
    {
        Seeding.SeedTorch(seed);
        return ModelRegistry.Create("fastnet", new ModelOptions { NumClasses = 0, InChannels = 3, InputSize = 8, WidthMultiplier = 0.25 });
    }

    static long Features => ModelRegistry.NumFeatures("fastnet", new ModelOptions { NumClasses = 0, InChannels = 3, InputSize = 8, WidthMultiplier = 0.25 });

    static DataLoader Loader(IImageDataset data) => new(data, new DataLoaderOptions { BatchSize = 8, Shuffle = true, DropLast = true, Seed = 5 },
        new MultiView(new Compose(new RandomResizedCrop((8, 8), (0.5, 1.0)), new RandomHorizontalFlip(), new ToTensor()), views: 2));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MocoResumedMidEpochEqualsTheUninterruptedRunQueueAndKeyEncoderIncluded(bool symmetric)
    {
        using var tmp = new TempDir();
        var data = Pictures();
        var tasks = new List<MocoTask>();
        var options = new TrainerOptions { Epochs = 2, Threads = 1, Device = "cpu", Seed = 7, Optimizer = new Kindling.Optim.OptimizerOptions { Name = "sgd", Lr = 0.05, Momentum = 0.9 } };
        var moco = new MocoOptions { Queue = 24, ProjectionDim = 8, ShuffleBnGroups = 2, Momentum = 0.9, Symmetric = symmetric };
        var (full, resumed, fullNet, resumedNet) = TaskRuns.FullAndResumed(seed =>
        {
            var task = new MocoTask(Encoder(seed), Encoder(seed + 1), Features, moco, seed: seed);
            tasks.Add(task);
            return task;
        }, options, () => Loader(data), () => null, tmp.Path, epoch: 1, batch: 1);
        TaskRuns.AssertSameMetrics(full, resumed);
        TaskRuns.AssertSameWeights(fullNet, resumedNet);
        var (a, b) = (tasks[0], tasks[2]);
        Assert.Equal(a.Queue.Pointer, b.Queue.Pointer);
        // 2 epochs of 3 batches of 8 keys (16 when symmetric) into 24 rows: the pointer wrapped (48 or 96 mod 24 = 0).
        Assert.Equal(0, a.Queue.Pointer);
        Assert.True(a.Queue.Keys.equal(b.Queue.Keys).all().item<bool>(), "the queue is restored exactly");
        // The key encoder moved (momentum) but is not the query encoder.
        var q = a.Encoder.state_dict();
        var k = a.KeyEncoder.state_dict();
        Assert.Contains(q, kv => kv.Value.is_floating_point() && !kv.Value.equal(k[kv.Key]).all().item<bool>());
        Assert.All(a.KeyEncoder.parameters(), p => Assert.False(p.requires_grad));
        Assert.All(full.History, e => Assert.InRange(e.Get("train_positive_similarity")!.Value, -1, 1));
        foreach (var t in tasks) t.Dispose();
    }

    [Fact]
    public void SimClrResumedMidEpochEqualsTheUninterruptedRun()
    {
        using var tmp = new TempDir();
        var data = Pictures();
        var options = new TrainerOptions { Epochs = 2, Threads = 1, Device = "cpu", Seed = 7 };
        var (full, resumed, fullNet, resumedNet) = TaskRuns.FullAndResumed(seed => new SimClrTask(Encoder(seed), Features, new SimClrOptions { ProjectionDim = 8 }),
            options, () => Loader(data), () => null, tmp.Path, epoch: 1, batch: 1);
        TaskRuns.AssertSameMetrics(full, resumed);
        TaskRuns.AssertSameWeights(fullNet, resumedNet);
        Assert.True(full.History[1].Get("train_loss") < full.History[0].Get("train_loss") + 1, "the loss stays finite and sane");
    }
}
