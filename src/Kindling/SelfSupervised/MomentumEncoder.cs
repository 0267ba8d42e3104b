using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>MoCo's momentum update of a key network from its query network, parameter by parameter.</summary>
public static class MomentumEncoder
{
    /// <summary>theta_k = m theta_k + (1 - m) theta_q for every parameter, in place and without gradient (buffers are left alone: the key network keeps its own BatchNorm statistics, as in MoCo).</summary>
    /// <exception cref="ArgumentException">The networks' parameters differ in names or shapes, or m is outside [0, 1].</exception>
    public static void Update(nn.Module query, nn.Module key, double momentum)
    {
        if (!(momentum is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "the momentum must lie in [0, 1] (MoCo: 0.99..0.999).");
        var q = query.named_parameters().ToList();
        var k = key.named_parameters().ToList();
        if (q.Count != k.Count) throw new ArgumentException($"the key network has {k.Count} parameters but the query network has {q.Count}: they must be the same architecture.");
        using var noGrad = no_grad();
        for (int i = 0; i < q.Count; i++)
        {
            if (q[i].name != k[i].name || !q[i].parameter.shape.SequenceEqual(k[i].parameter.shape))
                throw new ArgumentException($"query parameter '{q[i].name}' does not match key parameter '{k[i].name}': the networks must be the same architecture.");
            k[i].parameter.mul_(momentum).add_(q[i].parameter, alpha: 1 - momentum);
        }
    }

    /// <summary>Copies every parameter and buffer of <paramref name="query"/> into <paramref name="key"/> and freezes the key's parameters (MoCo's start: the key encoder is the query encoder).</summary>
    public static void CopyAndFreeze(nn.Module query, nn.Module key)
    {
        using var noGrad = no_grad();
        var source = query.state_dict();
        foreach (var (name, tensor) in key.state_dict())
        {
            if (!source.TryGetValue(name, out var from) || !from.shape.SequenceEqual(tensor.shape))
                throw new ArgumentException($"the key network's '{name}' has no match of the same shape in the query network: they must be the same architecture.");
            tensor.copy_(from);
        }
        foreach (var p in key.parameters()) p.requires_grad = false;
    }
}
