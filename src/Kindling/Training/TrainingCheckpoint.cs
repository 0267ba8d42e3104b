using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kindling.Optim;
using Kindling.Optim.Schedulers;
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
    internal sealed record Parts(nn.Module Model, MasterWeights? Masters, optim.Optimizer Optimizer, LrScheduler? Schedule, GradScaler? Scaler,
        ModelEma? Ema, EarlyStopping? EarlyStopping, TrainerState State, TrainerOptions Options);

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    internal static void Save(string path, string kind, Parts p)
    {
        var sections = new Dictionary<string, byte[]>();
        var parameters = p.Masters is not null
            ? p.Masters.Named.Select(n => (n.name, (Tensor)n.parameter))
            : p.Model.named_parameters().Select(n => (n.name, (Tensor)n.parameter));
        sections["model"] = NamedTensors.ToBytes(parameters.Concat(p.Model.named_buffers()));
        sections["optimizer"] = OptimizerBytes(p.Optimizer);
        if (p.Optimizer is Lookahead la)
            sections["lookahead"] = NamedTensors.ToBytes(la.SlowWeights.Select((t, i) => ($"{i}", t)));
        using (var rng = get_rng_state()) sections["rng"] = NamedTensors.ToBytes(new[] { ("cpu", rng) });
        if (p.Ema is not null) sections["ema"] = NamedTensors.ToBytes(p.Ema.StateDict().Select(kv => (kv.Key, kv.Value)));
        var git = GitInfo.Current();
        var meta = new JsonObject
        {
            ["kind"] = kind,
            ["epoch"] = p.State.Epoch,
            ["global_step"] = p.State.GlobalStep,
            ["best_metric"] = p.State.BestMetric,
            ["best_epoch"] = p.State.BestEpoch,
            ["skipped_steps"] = p.State.SkippedSteps,
            ["lookahead_steps"] = (p.Optimizer as Lookahead)?.Steps,
            ["schedule"] = p.Schedule is null ? null : JsonSerializer.SerializeToNode(p.Schedule.StateDict()),
            ["scaler"] = p.Scaler is null ? null : new JsonObject { ["scale"] = p.Scaler.Scale, ["growth_tracker"] = p.Scaler.GrowthTracker },
            ["ema_updates"] = p.Ema?.Updates,
            ["early_stopping"] = p.EarlyStopping is null ? null : new JsonObject { ["best"] = p.EarlyStopping.Best, ["bad_epochs"] = p.EarlyStopping.BadEpochs },
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

    internal static void Restore(string path, Parts p)
    {
        var sections = CheckpointFile.Read(path);
        var meta = JsonNode.Parse(Encoding.UTF8.GetString(sections["meta"]))!.AsObject();
        var model = NamedTensors.FromBytes(sections["model"]);
        NamedTensors.LoadInto(p.Model, model, path);
        if (p.Masters is not null)
        {
            using var _ = no_grad();
            foreach (var (name, master) in p.Masters.Named) master.copy_(model[name]);
        }
        foreach (var t in model.Values) t.Dispose();

        using (var stream = new MemoryStream(sections["optimizer"]))
        using (var r = new BinaryReader(stream))
        {
            var inner = Inner(p.Optimizer);
            using var dense = DenseOptimizerState.For(inner);
            inner.load_state_dict(r);
        }
        if (p.Optimizer is Lookahead la && sections.TryGetValue("lookahead", out var slowBytes))
        {
            var slow = NamedTensors.FromBytes(slowBytes);
            using (no_grad())
                for (int i = 0; i < la.SlowWeights.Count; i++) la.SlowWeights[i].copy_(slow[$"{i}"]);
            la.Restore((int?)meta["lookahead_steps"] ?? 0);
        }
        var rng = NamedTensors.FromBytes(sections["rng"]);
        set_rng_state(rng["cpu"]);

        if (p.Schedule is not null && meta["schedule"] is JsonObject schedule)
            p.Schedule.LoadStateDict(schedule.ToDictionary(kv => kv.Key, kv => (double)kv.Value!));
        if (p.Scaler is not null && meta["scaler"] is JsonObject scaler)
            p.Scaler.Restore((double)scaler["scale"]!, (int)scaler["growth_tracker"]!);
        if (p.Ema is not null && sections.TryGetValue("ema", out var emaBytes))
        {
            var ema = NamedTensors.FromBytes(emaBytes);
            p.Ema.LoadStateDict(ema, (long?)meta["ema_updates"] ?? 0);
        }
        if (p.EarlyStopping is not null && meta["early_stopping"] is JsonObject es)
            p.EarlyStopping.Restore((double)es["best"]!, (int)es["bad_epochs"]!);

        p.State.Epoch = (int)meta["epoch"]!;
        p.State.GlobalStep = (long)meta["global_step"]!;
        p.State.BestMetric = (double?)meta["best_metric"];
        p.State.BestEpoch = (int)meta["best_epoch"]!;
        p.State.SkippedSteps = (long)meta["skipped_steps"]!;
        p.State.History.Clear();
        p.State.History.AddRange(meta["history"].Deserialize<List<EpochMetrics>>(Json) ?? new());
        p.State.Progress = meta["epoch_progress"]?.Deserialize<EpochProgress>(Json);
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
