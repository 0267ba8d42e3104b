using Kindling.Models;
using static TorchSharp.torch;

namespace Kindling.Bench;

/// <summary>
/// The benchmark models by short name, built exactly as bench/reference/models.py builds them in
/// PyTorch (same layers, same parameter count, which the reference asserts): seed-cnn (the seeds'
/// CNN), resnet18 (ResNet-18 with the CIFAR stem) and fastnet (FastNet at width 0.5).
/// </summary>
public static class BenchModels
{
    /// <summary>Names `--model` accepts.</summary>
    public static readonly IReadOnlyList<string> Names = new[] { "seed-cnn", "resnet18", "fastnet" };

    /// <summary>Builds <paramref name="name"/> for <paramref name="classes"/> classes and C x S x S inputs.</summary>
    public static nn.Module<Tensor, Tensor> Create(string name, int classes, int channels = 3, int size = 32) => name switch
    {
        "seed-cnn" => new SeedCnn(classes, channels, size),
        "resnet18" => ModelRegistry.Create("resnet18-cifar", new ModelOptions { NumClasses = classes, InChannels = channels }),
        "fastnet" => ModelRegistry.Create("fastnet", new ModelOptions { NumClasses = classes, InChannels = channels, WidthMultiplier = 0.5 }),
        _ => throw new ArgumentException($"--model '{name}' is not a benchmark model: expected one of {string.Join(", ", Names)}."),
    };

    /// <summary>Parameters and multiply-accumulates per image (from <see cref="ModelSummary"/>).</summary>
    public static (long Parameters, long Macs) Cost(nn.Module<Tensor, Tensor> model, int channels = 3, int size = 32)
    {
        var summary = ModelSummary.Of(model, new long[] { channels, size, size });
        return (summary.TotalParameters, summary.TotalMacs);
    }
}
