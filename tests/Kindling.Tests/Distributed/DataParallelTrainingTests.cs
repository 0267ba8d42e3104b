using System.Diagnostics;
using System.Text.Json.Nodes;
using Kindling.Training;

namespace Kindling.Tests.Distributed;

/// <summary>
/// `mpirun -np 2 kindling train` against one process, on two real ranks (Open MPI, as CI installs it): the same weights,
/// metrics reduced exactly, checkpoints that resume with another number of ranks, and a job that ends instead of hanging
/// when a rank dies or stops answering.
/// </summary>
[Collection("Mpi")]
[Trait("Category", "Distributed")]
public class DataParallelTrainingTests(DataParallelRuns runs) : IClassFixture<DataParallelRuns>
{
    [Fact]
    public void TwoRanksOfBatch64TrainTheWeightsOneProcessOfBatch128Trains()
    {
        var parallel = runs.Train(2, "two-ranks", epochs: 2);

        Assert.Equal(20, DataParallelRuns.GlobalStep(runs.Reference));
        Assert.Equal(20, DataParallelRuns.GlobalStep(parallel));
        var difference = DataParallelRuns.MaxWeightDifference(runs.Reference, parallel);
        Assert.True(difference <= 1e-5, $"the weights after 20 AdamW steps differ by up to {difference:E2}");
        // The sanity check that the comparison can fail: training moved the weights far more than that.
        Assert.True(DataParallelRuns.MaxWeightDifference(runs.Reference, runs.Train(0, "one-epoch", epochs: 1)) > 1e-3);

        // The epoch's metrics are the whole data's: train sums and validation counts added across ranks, not averaged.
        var one = Metrics(runs.Reference);
        var two = Metrics(parallel);
        foreach (var key in new[] { "train_loss", "train_accuracy", "val_loss", "val_accuracy", "val_f1" })
            Assert.True(Math.Abs((double)one[key]! - (double)two[key]!) < 1e-4, $"{key}: one process {one[key]}, two ranks {two[key]}");
        // The recipe's batch is the global one: config.yaml keeps 128.
        Assert.Contains("batch_size: 128", File.ReadAllText(Path.Combine(parallel, "config.yaml")));
    }

    [Fact]
    public void WithSyncBatchNormTwoRanksOfABatchNormModelTrainAsOneProcessDoes()
    {
        // The same recipe with BatchNorm after every convolution: each rank normalizes 64 samples unless synchronised.
        // Plain SGD at a small LR for one epoch (10 steps): with AdamW or a large LR with momentum, a BatchNorm network
        // amplifies float rounding chaotically (SGD at lr 0.05 with momentum: 7e-6 after one step, 6e-2 after 20).
        string[] batchNorm = ["model.norm=batch", "optimizer.name=sgd", "optimizer.lr=0.01", "optimizer.weight_decay=0"];
        var one = runs.Train(0, "bn-one", 1, 300, batchNorm);
        var synced = runs.Train(2, "bn-synced", 1, 300, [.. batchNorm, "distributed.sync_batchnorm=true"]);
        var apart = runs.Train(2, "bn-apart", 1, 300, batchNorm);

        // Weights and running statistics (buffers are compared too) as one process with the global batch of 128, up to
        // rounding (relative differences, as running variances can be large; measured 2e-7)...
        var (synchronised, where) = DataParallelRuns.WeightDifference(one, synced, relative: true);
        // ...which per-rank BatchNorm does not give: the comparison can fail.
        var (separate, _) = DataParallelRuns.WeightDifference(one, apart, relative: true);
        Assert.True(synchronised <= 1e-5 && separate > 100 * synchronised,
            $"SyncBatchNorm differs from one process by up to {synchronised:E2} ({where}), per-rank BatchNorm by {separate:E2}");
        // The train loss of the last epoch, a sum over both ranks' batches, agrees closely too.
        Assert.True(Math.Abs(TrainLoss(one) - TrainLoss(synced)) < 1e-4 * TrainLoss(one), $"train loss {TrainLoss(one)} vs {TrainLoss(synced)}");
    }

    static double TrainLoss(string run) => (double)Metrics(run)["train_loss"]!;

    [Fact]
    public void ARunResumesWithAnotherNumberOfRanksFromTheSameStep()
    {
        // Two ranks, then one process.
        var twoThenOne = runs.Train(2, "two-then-one", epochs: 1);
        Assert.Equal(10, DataParallelRuns.GlobalStep(twoThenOne));
        runs.ResumeOneMoreEpoch(twoThenOne, ranks: 0);
        Assert.Equal(20, DataParallelRuns.GlobalStep(twoThenOne));
        var d1 = DataParallelRuns.MaxWeightDifference(runs.Reference, twoThenOne);
        Assert.True(d1 <= 1e-5, $"2 ranks then 1 process: weights differ from the uninterrupted run by {d1:E2}");

        // One process, then two ranks.
        var oneThenTwo = runs.Train(0, "one-then-two", epochs: 1);
        runs.ResumeOneMoreEpoch(oneThenTwo, ranks: 2);
        Assert.Equal(20, DataParallelRuns.GlobalStep(oneThenTwo));
        var d2 = DataParallelRuns.MaxWeightDifference(runs.Reference, oneThenTwo);
        Assert.True(d2 <= 1e-5, $"1 process then 2 ranks: weights differ from the uninterrupted run by {d2:E2}");
    }

    [Fact]
    public void SigtermOnOneRankStopsBothAtTheSameStepAndOneProcessContinuesExactly()
    {
        var (run, job) = StartLongRun("interrupted", timeoutSeconds: 300);
        using (job)
        {
            WaitForCheckpointAndRank(run, job);
            // Only rank 0 hears the signal; the ranks agree at every optimizer step, so both stop after the same one.
            MpiJob.Signal(job.RankProcess(0)!.Value, "TERM");
            var (code, _, error) = job.Wait(TimeSpan.FromSeconds(120));
            Assert.True(code == 130, $"exit {code}: {error}");
            Assert.Contains("Resume with: kindling train --resume", error);
        }
        long stoppedAt = DataParallelRuns.GlobalStep(run);
        // One process finishes the epoch the two ranks were in (usually mid-epoch: the saved progress is every rank's)...
        int epochs = runs.ResumeOneMoreEpoch(run, ranks: 0);
        Assert.True(stoppedAt < 10L * epochs);
        Assert.Equal(10L * epochs, DataParallelRuns.GlobalStep(run));
        // ...and ends where one process trained from the start would.
        var straight = runs.Train(0, "straight", epochs);
        var difference = DataParallelRuns.MaxWeightDifference(straight, run);
        Assert.True(difference <= 1e-5, $"stopped at step {stoppedAt} on 2 ranks, resumed in 1 process: weights differ by {difference:E2}");
    }

    [Fact]
    public void AKilledRankEndsTheJobAndTheLastCheckpointResumes()
    {
        var (run, job) = StartLongRun("killed", timeoutSeconds: 300);
        using (job)
        {
            var rank1 = WaitForCheckpointAndRank(run, job);
            MpiJob.Signal(rank1, "KILL");
            var clock = Stopwatch.StartNew();
            var (code, _, _) = job.Wait(TimeSpan.FromSeconds(90));
            Assert.NotEqual(0, code);
            // mpirun itself notices a dead rank and ends the others: well before the 300 s collective timeout.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the job took {clock.Elapsed.TotalSeconds:0} s to end after rank 1 was killed");
        }
        ResumesIntact(run);
    }

    [Fact]
    public void ARankThatStopsAnsweringAbortsTheJobAtTheCollectiveTimeout()
    {
        var (run, job) = StartLongRun("stopped", timeoutSeconds: 5);
        using (job)
        {
            var rank1 = WaitForCheckpointAndRank(run, job);
            // SIGSTOP: the process lives on but never reaches the next collective, so nothing but the timeout can end the job.
            MpiJob.Signal(rank1, "STOP");
            var (code, _, error) = job.Wait(TimeSpan.FromSeconds(120));
            Assert.NotEqual(0, code);
            Assert.Contains("did not complete within 5 s", error);
        }
        ResumesIntact(run);
    }

    [Fact]
    public void RanksThatDisagreeOnTheRecipeAreRefusedBeforeTraining()
    {
        var recipe = Path.Combine(runs.Root, "disagree.yaml");
        File.WriteAllText(recipe, runs.Recipe(1));
        var run = Path.Combine(runs.Root, "disagree");
        string[] Args(string lr) => ["train", "--config", recipe, "--out", run, "--plain", "--no-doctor", "--set", $"optimizer.lr={lr}"];
        using var job = MpiJob.StartPerRank("Kindling.Cli", Args("0.002"), Args("0.003"));
        var (code, _, error) = job.Wait(TimeSpan.FromMinutes(2));
        Assert.NotEqual(0, code);
        Assert.Contains("the ranks disagree on the resolved recipe", error);
        Assert.False(File.Exists(DataParallelRuns.LastCheckpoint(run)));
    }

    (string Run, MpiJob Job) StartLongRun(string name, double timeoutSeconds)
    {
        var recipe = Path.Combine(runs.Root, name + ".yaml");
        File.WriteAllText(recipe, runs.Recipe(1000, timeoutSeconds));
        var run = Path.Combine(runs.Root, name);
        return (run, MpiJob.Start(2, "Kindling.Cli", "train", "--config", recipe, "--out", run, "--plain", "--no-doctor"));
    }

    static int WaitForCheckpointAndRank(string run, MpiJob job)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(DataParallelRuns.LastCheckpoint(run)) && !job.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(50);
        if (job.HasExited) Assert.Fail($"the job ended before the fault: {job.Wait(TimeSpan.FromSeconds(5)).Error}");
        Assert.True(File.Exists(DataParallelRuns.LastCheckpoint(run)), "no checkpoint within 3 minutes");
        return job.RankProcess(1) ?? throw new InvalidOperationException("rank 1 of the job was not found in /proc");
    }

    // The checkpoint the fault left behind is whole (its checksum holds) and one process continues it to the next epoch's end.
    void ResumesIntact(string run)
    {
        Assert.True(DataParallelRuns.GlobalStep(run) >= 10, "no epoch was checkpointed before the fault");
        int epoch = runs.ResumeOneMoreEpoch(run, ranks: 0);
        Assert.Equal(10L * epoch, DataParallelRuns.GlobalStep(run));
    }

    static JsonObject Metrics(string run) =>
        JsonNode.Parse(File.ReadLines(Path.Combine(run, "metrics.jsonl")).Last())!.AsObject();
}
