using System.Text.Json;
using static TorchSharp.torch;

namespace Kindling.Tests.Generative;

/// <summary>Nested JSON arrays of numbers (as the fixture scripts write tensor.tolist()) as float64 tensors.</summary>
static class JsonTensors
{
    public static Tensor Of(JsonElement e)
    {
        var shape = new List<long>();
        var probe = e;
        while (probe.ValueKind == JsonValueKind.Array)
        {
            shape.Add(probe.GetArrayLength());
            if (probe.GetArrayLength() == 0) break;
            probe = probe[0];
        }
        var values = new List<double>();
        Flatten(e, values);
        return tensor(values.ToArray(), dtype: float64).reshape([.. shape]);
    }

    static void Flatten(JsonElement e, List<double> values)
    {
        if (e.ValueKind == JsonValueKind.Array) foreach (var item in e.EnumerateArray()) Flatten(item, values);
        else values.Add(e.GetDouble());
    }

    /// <summary>Copies every tensor of a fixture's "state" object into the module's parameters of the same name.</summary>
    public static void Load(TorchSharp.torch.nn.Module module, JsonElement state)
    {
        var parameters = module.state_dict();
        using var _ = no_grad();
        foreach (var p in state.EnumerateObject())
        {
            Assert.True(parameters.ContainsKey(p.Name), $"the module has no parameter {p.Name} (it has {string.Join(", ", parameters.Keys)})");
            parameters[p.Name].copy_(Of(p.Value).to(parameters[p.Name].dtype));
        }
    }
}
