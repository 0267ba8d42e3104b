using Kindling.Runtime;
using Kindling.SelfSupervised;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.SelfSupervised;

/// <summary>MoCo's pieces: the momentum update, the queue (wrap-around, pointer, limits) and shuffled BatchNorm.</summary>
public class MocoPartsTests
{
    public MocoPartsTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void TheMomentumUpdateMovesEveryKeyParameterToMTimesItselfPlusOneMinusMTimesTheQuery()
    {
        using var query = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4));
        using var key = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4));
        MomentumEncoder.CopyAndFreeze(query, key);
        Assert.All(key.parameters(), p => Assert.False(p.requires_grad));
        foreach (var (name, t) in key.state_dict()) Assert.True(t.equal(query.state_dict()[name]).all().item<bool>(), name);
        // Move the query away, then update.
        using (no_grad()) foreach (var p in query.parameters()) p.add_(randn_like(p));
        var before = key.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var runningBefore = key.state_dict()["1.running_mean"].clone();
        MomentumEncoder.Update(query, key, 0.9);
        foreach (var (name, q) in query.named_parameters())
        {
            var expected = before[name] * 0.9 + q.detach() * 0.1;
            Assert.True(expected.allclose(key.named_parameters().First(p => p.name == name).parameter, 1e-6, 1e-7), name);
        }
        // Buffers are the key network's own (BatchNorm statistics of the keys).
        Assert.True(runningBefore.equal(key.state_dict()["1.running_mean"]).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => MomentumEncoder.Update(query, key, 1.5));
        using var other = nn.Sequential(nn.Linear(3, 5));
        Assert.Throws<ArgumentException>(() => MomentumEncoder.Update(query, other, 0.9));
    }

    [Fact]
    public void TheQueueOverwritesItsOldestRowsAndWrapsAround()
    {
        using var queue = new NegativeQueue(5, 2, new Generator().manual_seed(1));
        Assert.True(queue.Keys.norm(1).allclose(ones(5)), "the initial keys are unit vectors");
        using var a = tensor(new float[] { 1, 1, 2, 2, 3, 3 }, 3, 2);
        queue.Enqueue(a);
        Assert.Equal(3, queue.Pointer);
        using var b = tensor(new float[] { 4, 4, 5, 5, 6, 6 }, 3, 2);
        queue.Enqueue(b);
        // 4 and 5 filled rows 3 and 4; 6 wrapped around to row 0.
        Assert.Equal(1, queue.Pointer);
        Assert.Equal(new float[] { 6, 2, 3, 4, 5 }, queue.Keys.select(1, 0).data<float>().ToArray());
        using var full = tensor(new float[] { 7, 7, 8, 8, 9, 9, 10, 10, 11, 11 }, 5, 2);
        queue.Enqueue(full);
        Assert.Equal(1, queue.Pointer);
        Assert.Equal(new float[] { 11, 7, 8, 9, 10 }, queue.Keys.select(1, 0).data<float>().ToArray());
        var e = Assert.Throws<ArgumentException>(() => queue.Enqueue(zeros(6, 2)));
        Assert.Contains("does not fit a queue of 5", e.Message);
        Assert.Throws<ArgumentException>(() => queue.Enqueue(zeros(2, 3)));
    }

    [Fact]
    public void AQueueSavedAndLoadedHasTheSameKeysAndPointer()
    {
        using var queue = new NegativeQueue(4, 3, new Generator().manual_seed(2));
        queue.Enqueue(ones(3, 3));
        using var copy = new NegativeQueue(4, 3, new Generator().manual_seed(3));
        copy.Load(queue.Keys.clone(), queue.Pointer);
        Assert.True(copy.Keys.equal(queue.Keys).all().item<bool>());
        Assert.Equal(3, copy.Pointer);
        Assert.Throws<InvalidDataException>(() => copy.Load(zeros(5, 3), 0));
        Assert.Throws<InvalidDataException>(() => copy.Load(zeros(4, 3), 4));
    }

    [Fact]
    public void ShuffledBatchNormNormalizesEachGroupOnItsOwnAndReturnsRowsInTheImagesOrder()
    {
        using var bn = nn.BatchNorm1d(2, affine: false);
        bn.train();
        using var x = arange(16, dtype: float32).reshape(8, 2) * arange(1, 3, dtype: float32);
        // In order, in 2 groups: each group's rows normalized with that group's statistics alone.
        using var grouped = ShuffleBn.Grouped(bn.forward, x, 2);
        using var firstGroup = nn.functional.batch_norm(x.narrow(0, 0, 4), null, null, training: true);
        Assert.True(grouped.narrow(0, 0, 4).allclose(firstGroup, 1e-5, 1e-6));
        // Shuffled: row n still belongs to image n, and equals image n normalized within its shuffled group.
        using var permutation = ShuffleBn.Permutation(8, new Random(5));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), permutation.data<long>().ToArray().Order());
        Assert.NotEqual(Enumerable.Range(0, 8).Select(i => (long)i), permutation.data<long>().ToArray());
        using var identity = ShuffleBn.Shuffled(t => t * 2, x, 2, permutation);
        Assert.True(identity.equal(x * 2).all().item<bool>());
        using var shuffled = ShuffleBn.Shuffled(bn.forward, x, 2, permutation);
        var perm = permutation.data<long>().ToArray();
        var groupOf = new int[8];
        for (int position = 0; position < 8; position++) groupOf[perm[position]] = position / 4;
        for (int image = 0; image < 8; image++)
        {
            var members = Enumerable.Range(0, 8).Where(i => groupOf[i] == groupOf[image]).Select(i => (long)i).ToArray();
            using var group = x.index_select(0, tensor(members));
            using var normalized = nn.functional.batch_norm(group, null, null, training: true);
            int row = Array.IndexOf(members, (long)image);
            Assert.True(shuffled[image].allclose(normalized[row], 1e-5, 1e-6), $"image {image}");
        }
        var e = Assert.Throws<InvalidOperationException>(() => ShuffleBn.Check(10, 4));
        Assert.Contains("multiple of 4", e.Message);
        Assert.Throws<InvalidOperationException>(() => ShuffleBn.Check(4, 4));
        ShuffleBn.Check(8, 4);
    }
}
