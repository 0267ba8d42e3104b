using System.Text;
using Kindling.Compression.Fusion;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Compression.Pruning;

/// <summary>The share of exactly-zero weights per convolution and linear layer and over all of them (the seed's check_sparsity).</summary>
/// <param name="Layers">Each conv/linear weight, in model order.</param>
public sealed record SparsityReport(IReadOnlyList<LayerSparsity> Layers)
{
    /// <summary>Zeros over all the layers' weights.</summary>
    public double Global => Layers.Sum(l => l.Parameters) is long n and > 0 ? (double)Layers.Sum(l => l.Zeros) / n : 0;

    /// <summary>Every conv and linear weight of <paramref name="model"/>.</summary>
    public static SparsityReport Of(nn.Module model)
    {
        var layers = new List<LayerSparsity>();
        foreach (var (name, module) in model.named_modules())
            if (FusionTrace.IsFoldable(module))
            {
                var w = module.named_parameters(recurse: false).First(p => p.name == "weight").parameter;
                using var scope = NewDisposeScope();
                layers.Add(new($"{name}.weight", w.shape, w.numel(), w.eq(0).sum().item<long>()));
            }
        return new SparsityReport(layers);
    }

    /// <summary>A plain-text table: layer, shape, parameters, zeros, sparsity; then the global line.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        int width = Math.Max(5, Layers.Count == 0 ? 5 : Layers.Max(l => l.Name.Length));
        sb.AppendLine($"{"layer".PadRight(width)}  {"shape",-18} {"params",12} {"zeros",12} {"sparsity",9}");
        foreach (var l in Layers)
            sb.AppendLine($"{l.Name.PadRight(width)}  {"[" + string.Join(", ", l.Shape) + "]",-18} {l.Parameters,12:N0} {l.Zeros,12:N0} {l.Sparsity,9:P2}");
        sb.AppendLine($"{"global".PadRight(width)}  {"",-18} {Layers.Sum(l => l.Parameters),12:N0} {Layers.Sum(l => l.Zeros),12:N0} {Global,9:P2}");
        return sb.ToString();
    }
}
