using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kindling.Optim;
using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// Everything needed to continue a run exactly: model (fp32 master values when mixed), optimizer
/// state (and Lookahead's slow weights), schedule, loss scaler, EMA, early stopping, libtorch's RNG,
/// epoch and step counters, the metric history, the recipe and the git commit. Written atomically.
/// </summary>
public static class TrainingCheckpoint
{
    internal sealed record Parts(TrainingSession Session, EarlyStopping? EarlyStopping, TrainerState State, TrainerOptions Options);

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        // A diverged run's history holds NaN; the checkpoint must still be written.
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    internal static void Save(string path, string kind, Parts p)
    {
        // Copies to the CPU, contiguous views and the like are temporaries: a scope frees them (docs/ARCHITECTURE.md, "Threads").
        using var scope = NewDisposeScope();
        var session = p.Session;
        var network = session.Task.Network;
        var sections = new Dictionary<string, byte[]>();
        var parameters = session.Masters is not null
            ? session.Masters.Named.Select(n => (n.name, (Tensor)n.parameter))
            : network.named_parameters().Select(n => (n.name, (Tensor)n.parameter));
        sections["model"] = NamedTensors.ToBytes(parameters.Concat(network.named_buffers()));
        var optimizers = new JsonObject();
        foreach (var slot in session.Slots)
        {
            sections[OptimizerSection(slot)] = OptimizerBytes(slot.Optimizer);
            if (slot.Optimizer is Lookahead la)
                sections[LookaheadSection(slot)] = NamedTensors.ToBytes(la.SlowWeights.Select((t, i) => ($"{i}", t)));
            optimizers[slot.Name] = new JsonObject
            {
                ["steps"] = slot.Steps,
                ["schedule"] = slot.Schedule is null ? null : JsonSerializer.SerializeToNode(slot.Schedule.StateDict()),
                ["lookahead_steps"] = (slot.Optimizer as Lookahead)?.Steps,
            };
        }
        using (var rng = get_rng_state()) sections["rng"] = NamedTensors.ToBytes(new[] { ("cpu", rng) });
        if (session.Ema is not null) sections["ema"] = NamedTensors.ToBytes(session.Ema.StateDict().Select(kv => (kv.Key, kv.Value)));
        var taskState = session.Task.SaveState();
        if (taskState is not null) sections["task"] = NamedTensors.ToBytes(taskState.Tensors.Select(kv => (kv.Key, kv.Value)));
        var git = GitInfo.Current();
        var meta = new JsonObject
        {
            ["kind"] = kind,
            ["task"] = session.Task.GetType().Name,
            ["epoch"] = p.State.Epoch,
            ["global_step"] = p.State.GlobalStep,
            ["best_metric"] = p.State.BestMetric is double b && double.IsFinite(b) ? b : null,
            ["best_epoch"] = p.State.BestEpoch,
            ["skipped_steps"] = p.State.SkippedSteps,
            ["optimizers"] = optimizers,
            ["scaler"] = session.Scaler is null ? null : new JsonObject { ["scale"] = session.Scaler.Scale, ["growth_tracker"] = session.Scaler.GrowthTracker },
            ["ema_updates"] = session.Ema?.Updates,
            ["early_stopping"] = p.EarlyStopping is null ? null : new JsonObject { ["best"] = p.EarlyStopping.Best, ["bad_epochs"] = p.EarlyStopping.BadEpochs },
            ["task_state"] = taskState?.Values.DeepClone(),
            ["history"] = JsonSerializer.SerializeToNode(p.State.History, Json),
            ["epoch_progress"] = p.State.Progress is null ? null : JsonSerializer.SerializeToNode(p.State.Progress, Json),
            ["precision"] = p.Options.Precision.ToString(),
            ["classes"] = null,
            ["config"] = p.Options.ConfigText,
            ["git_commit"] = git?.Commit,
            ["git_dirty"] = git?.Dirty,
            ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3),
            ["created"] = DateTime.UtcNow.ToString("O"),
        };
        sections["meta"] = Encoding.UTF8.GetBytes(meta.ToJsonString(Json));
        CheckpointFile.Write(path, sections);
    }

    // One optimizer keeps the section names checkpoints had before tasks ("optimizer", "lookahead"); several are named.
    static string OptimizerSection(OptimizerSlot slot) => slot.Name == "optimizer" ? "optimizer" : "optimizer." + slot.Name;
    static string LookaheadSection(OptimizerSlot slot) => slot.Name == "optimizer" ? "lookahead" : "lookahead." + slot.Name;

    /// <summary>
    /// A checkpoint holding only a model's weights and the resolved recipe that rebuilds it (for imported or
    /// transformed models): eval, predict, export and distillation read it like a trained one; it cannot be resumed.
    /// </summary>
    /// <param name="path">The checkpoint file, written atomically.</param>
    /// <param name="model">The model whose parameters and buffers are saved.</param>
    /// <param name="configText">The resolved recipe (<see cref="Config.Recipe.ToYaml"/>) that builds <paramref name="model"/>.</param>
    /// <param name="kind">What made it (stored in the metadata), e.g. "imported".</param>
    public static void SaveModel(string path, nn.Module model, string configText, string kind)
    {
        var git = GitInfo.Current();
        var meta = new JsonObject
        {
            ["kind"] = kind,
            ["config"] = configText,
            ["git_commit"] = git?.Commit,
            ["git_dirty"] = git?.Dirty,
            ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3),
            ["created"] = DateTime.UtcNow.ToString("O"),
        };
        CheckpointFile.Write(path, new Dictionary<string, byte[]>
        {
            ["model"] = NamedTensors.ToBytes(model.named_parameters().Select(n => (n.name, (Tensor)n.parameter)).Concat(model.named_buffers())),
            ["meta"] = Encoding.UTF8.GetBytes(meta.ToJsonString(Json)),
        });
    }

    /// <summary>The metadata of a checkpoint (epoch, step, history, config, git commit, ...).</summary>
    public static JsonObject ReadMeta(string path) =>
        JsonNode.Parse(Encoding.UTF8.GetString(CheckpointFile.Read(path)["meta"]))!.AsObject();

    /// <summary>Loads only the model weights of a checkpoint into <paramref name="model"/> (for eval, predict, export).</summary>
    public static void LoadModel(string path, nn.Module model)
    {
        var sections = CheckpointFile.Read(path);
        var state = NamedTensors.FromBytes(sections["model"]);
        try { NamedTensors.LoadInto(model, state, path); }
        finally { foreach (var t in state.Values) t.Dispose(); }
    }

    /// <summary>
    /// Loads a checkpoint's weights into every module of <paramref name="task"/> and restores the task's own state (a MoCo queue, a
    /// diffusion schedule's step count): what sampling, probing and FID start from. Optimizers and the run's progress are not read.
    /// </summary>
    public static void LoadTask(string path, Tasks.TrainingTask task)
    {
        var sections = CheckpointFile.Read(path);
        var state = NamedTensors.FromBytes(sections["model"]);
        try { NamedTensors.LoadInto(task.Network, state, path); }
        finally { foreach (var t in state.Values) t.Dispose(); }
        var meta = JsonNode.Parse(Encoding.UTF8.GetString(sections["meta"]))!.AsObject();
        if (meta["task_state"] is JsonObject taskValues)
        {
            var tensors = sections.TryGetValue("task", out var taskBytes) ? NamedTensors.FromBytes(taskBytes) : new Dictionary<string, Tensor>();
            task.LoadState(new Tasks.TaskState(tensors, taskValues));
        }
    }

    internal static void Restore(string path, Parts p)
    {
        var session = p.Session;
        var sections = CheckpointFile.Read(path);
        var meta = JsonNode.Parse(Encoding.UTF8.GetString(sections["meta"]))!.AsObject();
        var model = NamedTensors.FromBytes(sections["model"]);
        NamedTensors.LoadInto(session.Task.Network, model, path);
        if (session.Masters is not null)
        {
            using var _ = no_grad();
            foreach (var (name, master) in session.Masters.Named) master.copy_(model[name]);
        }
        foreach (var t in model.Values) t.Dispose();

        foreach (var slot in session.Slots) RestoreOptimizer(slot, sections, meta, path);
        var rng = NamedTensors.FromBytes(sections["rng"]);
        set_rng_state(rng["cpu"]);

        if (session.Scaler is not null && meta["scaler"] is JsonObject scaler)
            session.Scaler.Restore((double)scaler["scale"]!, (int)scaler["growth_tracker"]!);
        if (session.Ema is not null && sections.TryGetValue("ema", out var emaBytes))
        {
            var ema = NamedTensors.FromBytes(emaBytes);
            session.Ema.LoadStateDict(ema, (long?)meta["ema_updates"] ?? 0);
        }
        if (p.EarlyStopping is not null && meta["early_stopping"] is JsonObject es)
            p.EarlyStopping.Restore((double)es["best"]!, (int)es["bad_epochs"]!);
        if (meta["task_state"] is JsonObject taskValues)
        {
            var tensors = sections.TryGetValue("task", out var taskBytes) ? NamedTensors.FromBytes(taskBytes) : new Dictionary<string, Tensor>();
            session.Task.LoadState(new Tasks.TaskState(tensors, taskValues));
        }

        p.State.Epoch = (int)meta["epoch"]!;
        p.State.GlobalStep = (long)meta["global_step"]!;
        p.State.BestMetric = (double?)meta["best_metric"];
        p.State.BestEpoch = (int)meta["best_epoch"]!;
        p.State.SkippedSteps = (long)meta["skipped_steps"]!;
        p.State.History.Clear();
        p.State.History.AddRange(meta["history"].Deserialize<List<EpochMetrics>>(Json) ?? new());
        p.State.Progress = Progress(meta["epoch_progress"] as JsonObject);
    }

    static void RestoreOptimizer(OptimizerSlot slot, Dictionary<string, byte[]> sections, JsonObject meta, string path)
    {
        // Checkpoints written before tasks hold one optimizer under "optimizer" and its schedule at the top of meta.
        var state = meta["optimizers"]?[slot.Name] as JsonObject ?? meta;
        if (!sections.TryGetValue(OptimizerSection(slot), out var bytes))
            throw new InvalidDataException($"{path} has no state for optimizer '{slot.Name}': it was saved by a different task.");
        using (var stream = new MemoryStream(bytes))
        using (var r = new BinaryReader(stream))
        {
            var inner = Inner(slot.Optimizer);
            using var dense = DenseOptimizerState.For(inner);
            inner.load_state_dict(r);
        }
        if (slot.Optimizer is Lookahead la && sections.TryGetValue(LookaheadSection(slot), out var slowBytes))
        {
            var slow = NamedTensors.FromBytes(slowBytes);
            using (no_grad())
                for (int i = 0; i < la.SlowWeights.Count; i++) la.SlowWeights[i].copy_(slow[$"{i}"]);
            la.Restore((int?)state["lookahead_steps"] ?? 0);
        }
        if (slot.Schedule is not null && state["schedule"] is JsonObject schedule)
            slot.Schedule.LoadStateDict(schedule.ToDictionary(kv => kv.Key, kv => (double)kv.Value!));
        slot.Steps = (long?)state["steps"] ?? (long)meta["global_step"]!;
    }

    /// <summary>An interrupted epoch's progress; checkpoints written before tasks kept a classifier's loss and correct sums by name.</summary>
    static EpochProgress? Progress(JsonObject? json)
    {
        if (json is null) return null;
        if (json["sums"] is not null) return json.Deserialize<EpochProgress>(Json);
        long seen = (long)json["seen"]!;
        var sums = new Dictionary<string, double[]>
        {
            ["loss"] = [(double)json["loss_sum"]!, seen],
            ["accuracy"] = [(double)json["correct_sum"]!, seen],
        };
        return new EpochProgress((int)json["batches"]!, sums, seen, (double)json["norm_sum"]!, (long)json["norm_count"]!);
    }

    static byte[] OptimizerBytes(optim.Optimizer optimizer)
    {
        using var stream = new MemoryStream();
        var inner = Inner(optimizer);
        using (var dense = DenseOptimizerState.For(inner))
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            inner.save_state_dict(w);
        return stream.ToArray();
    }

    static TorchSharp.Modules.OptimizerHelper Inner(optim.Optimizer optimizer) => optimizer switch
    {
        Lookahead la => Inner(la.Inner),
        TorchSharp.Modules.OptimizerHelper h => h,
        _ => throw new NotSupportedException($"{optimizer.GetType().Name} cannot be saved in a checkpoint."),
    };
}
