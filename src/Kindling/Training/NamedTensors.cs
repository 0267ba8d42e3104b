using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>Named tensors to and from bytes (TorchSharp's tensor format per entry), for checkpoint sections.</summary>
public static class NamedTensors
{
    public static byte[] ToBytes(IEnumerable<(string Name, Tensor Value)> tensors)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            var list = tensors.ToList();
            w.Write(list.Count);
            foreach (var (name, value) in list)
            {
                w.Write(name);
                using var detached = value.detach();
                using var cpu = detached.cpu();
                // Channels-last weights (and EMA or Lookahead copies of them) are strided: TorchSharp writes only contiguous tensors.
                using var dense = cpu.contiguous();
                dense.Save(w);
            }
        }
        return stream.ToArray();
    }

    /// <summary>Reads tensors (on the CPU) by name.</summary>
    public static Dictionary<string, Tensor> FromBytes(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        using var r = new BinaryReader(stream);
        int count = r.ReadInt32();
        var result = new Dictionary<string, Tensor>(count);
        for (int i = 0; i < count; i++)
        {
            var name = r.ReadString();
            result[name] = Tensor.Load(r);
        }
        return result;
    }

    /// <summary>Copies saved values into a module's parameters and buffers by name, refusing missing or mis-shaped entries.</summary>
    public static void LoadInto(nn.Module module, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        using var _ = no_grad();
        var targets = module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(module.named_buffers()).ToList();
        var missing = targets.Where(t => !state.ContainsKey(t.Item1)).Select(t => t.Item1).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{source} has no values for {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? $" and {missing.Count - 5} more" : "")}: it was saved from a different model.");
        foreach (var (name, target) in targets)
        {
            var value = state[name];
            if (!value.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"{source}: '{name}' is [{string.Join(",", value.shape)}] but the model's is [{string.Join(",", target.shape)}]: it was saved from a different model or configuration.");
            target.copy_(value);
        }
    }
}
