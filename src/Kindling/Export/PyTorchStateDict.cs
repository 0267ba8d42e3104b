using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Kindling.Export;

/// <summary>
/// A model's weights as a PyTorch state dict: <see cref="Save"/> writes the file <c>torch.save(model.state_dict())</c>
/// would (the zip format, read by <c>torch.load</c>) with PyTorch's names for the registry model
/// (<see cref="PyTorchNames"/>) and BatchNorm's <c>num_batches_tracked</c> where PyTorch keeps it; <see cref="Load"/>
/// reads such a file, written by PyTorch or by <see cref="Save"/>, into a Kindling model as strictly as
/// <c>load_state_dict(strict=True)</c>: a missing, unexpected or mis-shaped entry is an error that names it.
/// </summary>
public static class PyTorchStateDict
{
    const string Tracked = "num_batches_tracked";

    /// <summary>Writes <paramref name="model"/>'s parameters and buffers to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <param name="model">The model (any device; values are copied to the CPU).</param>
    /// <param name="modelName">Its registry name, which decides the PyTorch names.</param>
    /// <param name="path">The .pt file.</param>
    /// <returns>The entries written, by PyTorch name.</returns>
    public static IReadOnlyList<string> Save(nn.Module model, string modelName, string path)
    {
        var state = State(model);
        var names = PyTorchNames.Map(modelName, state.Keys);
        var dict = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, value) in state) dict[names[name]] = value.detach().cpu().contiguous().clone();
            // PyTorch's BatchNorm counts its training batches in a buffer that TorchSharp's lacks; strict loading wants it.
            foreach (var prefix in BatchNormPrefixes(model))
            {
                var key = names.TryGetValue(prefix + ".running_mean", out var mean) ? mean[..^"running_mean".Length] + Tracked : prefix + "." + Tracked;
                if (!dict.ContainsKey(key)) dict[key] = tensor(0L);
            }
            var full = Path.GetFullPath(path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            var temp = $"{full}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                    PyTorchPickler.PickleStateDict(stream, dict, leaveOpen: true);
                File.Move(temp, full, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
            return dict.Keys.ToList();
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
    }

    /// <summary>Loads a PyTorch state dict file into <paramref name="model"/>, strictly.</summary>
    /// <param name="model">The Kindling model, built with the architecture and classes the weights were trained with.</param>
    /// <param name="modelName">Its registry name, which decides the PyTorch names.</param>
    /// <param name="path">A file written by <c>torch.save(model.state_dict(), path)</c> (PyTorch 1.6 or later) or by <see cref="Save"/>.</param>
    /// <exception cref="InvalidDataException">The file is not a state dict, or its entries do not fit the model (named).</exception>
    public static void Load(nn.Module model, string modelName, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file {path} does not exist.", path);
        Hashtable loaded;
        try
        {
            using var stream = File.OpenRead(path);
            loaded = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (Exception e) when (e is not IOException)
        {
            throw new InvalidDataException($"{path} is not a PyTorch state dict saved with torch.save(model.state_dict(), path) ({e.GetType().Name}: {e.Message}).", e);
        }
        var source = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry e in loaded)
            if (e.Key is string k && e.Value is Tensor t) source[k] = t;
        try
        {
            var state = State(model);
            var names = PyTorchNames.Map(modelName, state.Keys);
            var missing = state.Keys.Where(n => !source.ContainsKey(names[n])).Select(n => names[n]).ToList();
            var wanted = names.Values.ToHashSet();
            var unexpected = source.Keys.Where(k => !wanted.Contains(k) && !k.EndsWith("." + Tracked, StringComparison.Ordinal)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new InvalidDataException($"{path} does not fit {modelName}: " + string.Join("; ",
                    new[] { ("missing", missing), ("unexpected", unexpected) }.Where(p => p.Item2.Count > 0)
                        .Select(p => $"{p.Item1} {string.Join(", ", p.Item2.Take(5))}{(p.Item2.Count > 5 ? $" and {p.Item2.Count - 5} more" : "")}")) +
                    ". Was it saved from this architecture (and --set model.* options such as width_multiplier)?");
            using var _ = no_grad();
            foreach (var (name, target) in state)
            {
                var value = source[names[name]];
                if (!value.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"{path}: '{names[name]}' is [{string.Join(",", value.shape)}] but {modelName}'s is [{string.Join(",", target.shape)}]: were the classes (--classes) or the input channels different?");
                target.copy_(value);
            }
        }
        finally
        {
            foreach (var t in source.Values) t.Dispose();
        }
    }

    static Dictionary<string, Tensor> State(nn.Module model) =>
        model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(model.named_buffers())
            .ToDictionary(p => p.Item1, p => p.Item2);

    static IEnumerable<string> BatchNormPrefixes(nn.Module model) =>
        model.named_modules().Where(m => m.module is TorchSharp.Modules.BatchNorm1d or TorchSharp.Modules.BatchNorm2d or TorchSharp.Modules.BatchNorm3d)
            .Select(m => m.name);
}
