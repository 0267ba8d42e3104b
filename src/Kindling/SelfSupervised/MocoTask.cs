using System.Text.Json.Nodes;
using Kindling.Data.Loading;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>
/// MoCo v2 (He et al. 2020; Chen et al. 2020): a query encoder with an MLP projection trained by InfoNCE against its key
/// (the other view through a momentum copy of the query network, theta_k = m theta_k + (1 - m) theta_q) and a queue of K
/// earlier keys as negatives. The queue and its pointer are the task's state: checkpointed and resumed exactly. BatchNorm
/// is shuffled across groups of the batch (<see cref="ShuffleBn"/>).
/// </summary>
public sealed class MocoTask : TrainingTask, IPretrainedEncoder
{
    readonly InfoNceLoss loss;

    /// <param name="encoder">The query encoder, headless: images to features [N, <paramref name="features"/>].</param>
    /// <param name="keyEncoder">A second encoder of the same architecture; its weights are replaced by the query's and frozen.</param>
    /// <param name="features">The encoders' feature width.</param>
    /// <param name="options">Queue, momentum, temperature, head, shuffle-BN groups.</param>
    /// <param name="monitor">The kNN monitor (val_knn_accuracy); null: validation measures nothing.</param>
    /// <param name="seed">Seeds the queue's initial random keys.</param>
    public MocoTask(nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> keyEncoder, long features, MocoOptions? options = null,
        KnnMonitor? monitor = null, long seed = 0)
    {
        Options = options ?? new MocoOptions();
        if (Options.ShuffleBnGroups < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.ShuffleBnGroups, "moco.shuffle_bn_groups must be >= 1.");
        if (!(Options.Momentum is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(options), Options.Momentum, "moco.momentum must lie in [0, 1].");
        Encoder = encoder;
        KeyEncoder = keyEncoder;
        FeatureCount = features;
        long hidden = Options.Hidden ?? features;
        Projection = new ProjectionHead(features, hidden, Options.ProjectionDim);
        KeyProjection = new ProjectionHead(features, hidden, Options.ProjectionDim);
        MomentumEncoder.CopyAndFreeze(Encoder, KeyEncoder);
        MomentumEncoder.CopyAndFreeze(Projection, KeyProjection);
        using var generator = new Generator().manual_seed(seed);
        Queue = new NegativeQueue(Options.Queue, Options.ProjectionDim, generator);
        loss = new InfoNceLoss(Options.Temperature);
        Monitor = monitor;
    }

    public MocoOptions Options { get; }

    /// <inheritdoc/>
    public nn.Module<Tensor, Tensor> Encoder { get; }

    /// <inheritdoc/>
    public long FeatureCount { get; }

    public ProjectionHead Projection { get; }

    /// <summary>The momentum (key) encoder: never stepped by the optimizer, only moved towards <see cref="Encoder"/>.</summary>
    public nn.Module<Tensor, Tensor> KeyEncoder { get; }

    public ProjectionHead KeyProjection { get; }

    /// <summary>The queue of negative keys.</summary>
    public NegativeQueue Queue { get; }

    public KnnMonitor? Monitor { get; }

    public override IReadOnlyList<(string Name, nn.Module Module)> Modules =>
        [("encoder", Encoder), ("projection", Projection), ("key_encoder", KeyEncoder), ("key_projection", KeyProjection)];

    /// <summary>The optimizer steps the query side only.</summary>
    public override IReadOnlyList<OptimizerSpec> ConfigureOptimizers() => [new OptimizerSpec("optimizer") { Modules = ["encoder", "projection"] }];

    /// <summary>train_loss, train_positive_similarity, val_knn_accuracy.</summary>
    public static IReadOnlyList<MetricSpec> MetricSpecs { get; } =
        [MetricSpec.Min("train_loss"), MetricSpec.Max("train_positive_similarity"), MetricSpec.Max("val_knn_accuracy")];

    public override IReadOnlyList<MetricSpec> Metrics => MetricSpecs;

    public override MetricSpec DefaultMonitor => MetricSpec.Max("val_knn_accuracy");

    public override Tensor TrainingStep(Batch batch, StepContext step)
    {
        var (first, second) = SimClrTask.TwoViews(batch, "MoCo");
        long n = batch.Count;
        // Data-parallel, every rank enqueues all ranks' keys (the paper's concat_all_gather), so a step fills world size x its keys.
        int ranks = step.Replicas?.WorldSize ?? 1;
        long keys = (Options.Symmetric ? 2 * n : n) * ranks;
        if (keys > Options.Queue)
            throw new InvalidOperationException($"a step's {keys} keys (a batch of {n}{(Options.Symmetric ? ", both views" : "")}{(ranks > 1 ? $" on each of {ranks} ranks" : "")}) do not fit MoCo's queue of {Options.Queue} keys: the queue must hold at least one step's keys; raise moco.queue or lower data.batch_size.");
        ShuffleBn.Check(n, Options.ShuffleBnGroups);
        int groups = Options.ShuffleBnGroups;
        Tensor Query(Tensor images) =>
            nn.functional.normalize(ShuffleBn.Grouped(x => Projection.forward(Encoder.forward(x)), step.Input(images), groups).to(float32), p: 2, dim: 1);
        Tensor Key(Tensor images, string purpose)
        {
            using var permutation = ShuffleBn.Permutation(n, step.Random(purpose));
            return nn.functional.normalize(ShuffleBn.Shuffled(x => KeyProjection.forward(KeyEncoder.forward(x)), step.Input(images), groups, permutation).to(float32), p: 2, dim: 1);
        }
        var q = Query(first);
        var q2 = Options.Symmetric ? Query(second) : null;
        Tensor k;
        Tensor? k2 = null;
        using (no_grad())
        {
            MomentumEncoder.Update(Encoder, KeyEncoder, Options.Momentum);
            MomentumEncoder.Update(Projection, KeyProjection, Options.Momentum);
            k = Key(second, "moco-shuffle-bn");
            if (Options.Symmetric) k2 = Key(first, "moco-shuffle-bn-symmetric");
        }
        // The loss reads a copy of the queue: enqueueing writes the buffer in place before backward runs.
        var negatives = Queue.Keys.clone();
        var value = loss.Forward(q, k, negatives);
        if (q2 is not null) value = (value + loss.Forward(q2, k2!, negatives)) / 2;
        using (no_grad()) step.Log("positive_similarity", (q * k).sum(1).mean().item<float>());
        var stepKeys = k2 is null ? k : cat([k, k2]);
        Queue.Enqueue(ranks > 1 ? step.Replicas!.AllGather(stepKeys) : stepKeys);
        return value;
    }

    public override TaskValidation? Validate(IEnumerable<Batch> data, ValidationContext context) =>
        Monitor is { } m && m.IsDue(context.Epoch)
            ? new TaskValidation(new Dictionary<string, double> { ["knn_accuracy"] = m.Measure(Encoder, data, context) })
            : null;

    public override TaskState SaveState() =>
        new(new Dictionary<string, Tensor> { ["queue"] = Queue.Keys }, new JsonObject { ["queue_pointer"] = Queue.Pointer });

    public override void LoadState(TaskState state)
    {
        if (!state.Tensors.TryGetValue("queue", out var saved) || state.Values["queue_pointer"] is not { } pointer)
            throw new InvalidDataException("the checkpoint holds no MoCo queue (tensor 'queue' and value 'queue_pointer'): it was not written by a MoCo run.");
        Queue.Load(saved, (int)pointer);
    }

    public override void OnDevice(Device device) => Queue.To(device);

    public override void Dispose()
    {
        Queue.Dispose();
        base.Dispose();
    }
}
