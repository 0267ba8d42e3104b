using System.Text.Json.Nodes;
using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Distributed;
using static TorchSharp.torch;

namespace Kindling.Tests.Distributed;

/// <summary>
/// The MPI binding and the gradient all-reducer on real ranks (through `kindling bench allreduce`, which checks every
/// collective's result and the reducer's buckets, channels-last and missing gradients, loss agreement and all-gather),
/// and what needs no MPI.
/// </summary>
[Collection("Mpi")]
[Trait("Category", "Distributed")]
public class CommunicatorTests
{
    [Theory]
    [InlineData(2, false)]
    [InlineData(3, false)] // an odd world: the sum 1+2+3, more ranks than cores
    [InlineData(2, true)]  // TCP on loopback, standing in for a network
    public void CollectivesGiveTheRightResultsOnRealRanks(int ranks, bool tcp)
    {
        using var job = MpiJob.Start(ranks, "Kindling.Bench", tcp ? ["--mca", "btl", "tcp,self"] : null, "allreduce", "--mb", "1", "--iterations", "2", "--json");
        var (code, output, error) = job.Wait(TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        var json = JsonNode.Parse(output[output.IndexOf('{')..])!.AsObject();
        Assert.Equal(ranks, (int)json["world_size"]!);
        Assert.Equal("ok", (string)json["checks"]!);
        Assert.StartsWith("Open MPI v4", (string)json["backend"]!);
        Assert.True((double)json["algorithm_gb_per_s"]! > 0);
    }

    [Fact]
    public void WithoutALauncherTheWorldIsThisProcessAndNoMpiIsLoaded()
    {
        Assert.False(DistributedLaunch.UnderLauncher);
        using var world = DistributedLaunch.Open();
        Assert.IsType<LocalCommunicator>(world);
        Assert.Equal((0, 1), (world.Rank, world.Size));
        using var t = tensor(new[] { 1f, 2f });
        world.AllReduce(t);
        Assert.Equal([1f, 2f], t.data<float>().ToArray());
        using var gathered = world.AllGather(t);
        Assert.Equal([1L, 2L], gathered.shape);
        // MPI was never loaded: the process has no libmpi mapped.
        Assert.DoesNotContain("libmpi", File.ReadAllText("/proc/self/maps"));
    }

    [Fact]
    public void AMissingMpiLibraryIsReportedWithWhatToInstall()
    {
        var e = Assert.Throws<DistributedException>(() => Kindling.Distributed.Mpi.MpiLibrary.Load("libmpi-not-installed.so.40"));
        Assert.Contains("libmpi-not-installed.so.40 could not be loaded", e.Message);
        Assert.Contains("apt-get install openmpi-bin libopenmpi-dev", e.Message);
    }

    [Fact]
    public void AGlobalBatchThatDoesNotDivideAmongTheRanksIsRefusedNamingTheKey()
    {
        var recipe = Recipe.Parse("data:\n  batch_size: 129\n");
        var e = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(recipe, world: new TwoRanks()));
        Assert.Contains("data.batch_size: 129 is the global batch", e.Message);
        Assert.Contains("use a multiple of 2 (e.g. 130)", e.Message);
    }

    [Fact]
    public void TheDistributedSectionIsValidated()
    {
        var e = Assert.Throws<RecipeException>(() => Recipe.Parse("distributed:\n  bucket_mb: 0\n  timeout_seconds: 0\n"));
        Assert.Contains("distributed.bucket_mb", e.Message);
        Assert.Contains("distributed.timeout_seconds", e.Message);
    }

    // The recipe check only asks the world's size: a world of two that communicates nothing (building stops before it would).
    sealed class TwoRanks : ICommunicator
    {
        public int Rank => 0;
        public int Size => 2;
        public string Backend => "test";
        public void Barrier() => throw new NotSupportedException();
        public void Broadcast(Tensor tensor, int root = 0) => throw new NotSupportedException();
        public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum) => throw new NotSupportedException();
        public IPendingCollective StartAllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum) => throw new NotSupportedException();
        public Tensor AllGather(Tensor tensor) => throw new NotSupportedException();
        public void Abort(string message, int code = 1) => throw new NotSupportedException();
        public void Dispose() { }
    }
}
