using System.Text.Json.Nodes;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Training;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Training.Tasks;

/// <summary>A task's own state (a MoCo-like queue of past features and its pointer) is checkpointed and resumed exactly.</summary>
[Collection("GlobalGenerator")]
public class TaskStateTests
{
    /// <summary>An encoder trained to pull each sample's features away from a queue of earlier batches' features.</summary>
    sealed class QueueTask : TrainingTask
    {
        readonly nn.Module<Tensor, Tensor> encoder;
        public Tensor Queue;
        public long Pointer;

        public QueueTask(long seed)
        {
            TorchRuntime.EnsureLoaded();
            manual_seed(seed);
            encoder = nn.Sequential(nn.Flatten(), nn.Linear(64, 8));
            Queue = zeros(20, 8).DetachFromDisposeScope();
        }

        public override IReadOnlyList<(string Name, nn.Module Module)> Modules => [("encoder", encoder)];
        public override IReadOnlyList<MetricSpec> Metrics { get; } = [MetricSpec.Min("train_loss")];
        public override MetricSpec DefaultMonitor => MetricSpec.Min("train_loss");

        public override Tensor TrainingStep(Batch batch, StepContext step)
        {
            var features = nn.functional.normalize(encoder.forward(step.Input(batch.Images)), dim: 1);
            // A copy of the queue: it is updated in place below, before backward reads it (as MoCo clones its queue).
            var loss = features.matmul(Queue.clone().t()).square().mean() + (features.sum(1) - 1).square().mean();
            // Enqueue this batch's features in a ring buffer of fixed size (the queue never grows).
            using (no_grad())
            {
                var keys = features.detach();
                for (int i = 0; i < keys.shape[0]; i++, Pointer = (Pointer + 1) % Queue.shape[0]) Queue[Pointer].copy_(keys[i]);
            }
            return loss;
        }

        public override TaskState SaveState() => new(new Dictionary<string, Tensor> { ["queue"] = Queue }, new JsonObject { ["pointer"] = Pointer });

        public override void LoadState(TaskState state)
        {
            using (no_grad()) Queue.copy_(state.Tensors["queue"]);
            Pointer = (long)state.Values["pointer"]!;
        }
    }

    [Fact]
    public void TheQueueAndItsPointerResumeExactly()
    {
        using var dir = new TempDir();
        var tasks = new List<QueueTask>();
        var options = new TrainerOptions { Epochs = 3, Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.1, Momentum = 0.9 }, Device = "cpu", Seed = 2 };
        var (full, resumed, a, b) = TaskRuns.FullAndResumed(seed => { var t = new QueueTask(seed); tasks.Add(t); return t; }, options,
            () => TinyData.Loader(TinyData.Bands(56), 8, shuffle: true, transform: new ToTensor()), () => null, dir.Path, epoch: 2, batch: 3);
        TaskRuns.AssertSameMetrics(full, resumed);
        TaskRuns.AssertSameWeights(a, b);
        // tasks: the uninterrupted one, the interrupted one, the resumed one (built with a zero queue, pointer 0).
        Assert.Equal(tasks[0].Pointer, tasks[2].Pointer);
        Assert.NotEqual(0, tasks[2].Pointer);
        Assert.True(tasks[0].Queue.equal(tasks[2].Queue).all().item<bool>(), "the resumed queue differs");
    }
}
