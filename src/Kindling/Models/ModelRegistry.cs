using Kindling.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>
/// Every model Kindling can build, by name (timm style): <c>ModelRegistry.Create("resnet18-cifar", new()
/// { NumClasses = 100 })</c>. All take <see cref="ModelOptions"/>; an unknown name or an option the family
/// does not support is an <see cref="ArgumentException"/> that lists what is available. Every model is an
/// <see cref="IFeatureModel"/>; <see cref="ModelOptions.NumClasses"/> = 0 builds it without its classifier, so its
/// forward returns the (N, F) features (timm's <c>num_classes=0</c>), and <see cref="NumFeatures"/> gives F unbuilt.
/// </summary>
public static class ModelRegistry
{
    // Features: F of the model the options build, computed without building it (IFeatureModel.NumFeatures).
    sealed record Entry(ModelInfo Info, Func<ModelOptions, nn.Module<Tensor, Tensor>> Build, Func<ModelOptions, long> Features);

    static readonly string[] Residual = { "drop_path_rate", "norm", "zero_init_last_bn" };
    static readonly string[] PreAct = { "drop_path_rate", "norm" };

    static readonly Dictionary<string, Entry> Entries = BuildEntries();

    static Dictionary<string, Entry> BuildEntries()
    {
        var list = new List<Entry>
        {
            new(new("seed-cnn", "The seeds' CIFAR-100 CNN: 4 x [conv-BN-ReLU x2, maxpool, dropout], MLP head 1024-512", 32, 100, new[] { "norm" }),
                o => new SeedCnn(o), _ => SeedCnn.FeatureWidth),
            new(new("seed-cnn-2block", "The seeds' first ablation network (\"2 CNN layers with Batchnorm\"): seed-cnn's first 2 blocks (64, 128 channels), the same head", 32, 100, new[] { "norm" }),
                o => new SeedCnn(o, blocks: 2), _ => SeedCnn.FeatureWidth),
            new(new("fastnet", "A small fast net in the spirit of airbench: stem, 3 x [conv, pool, norm, GELU, conv, norm, GELU], max pool, linear; width_multiplier scales 64/256/256", 32, 10,
                    new[] { "norm", "width_multiplier" }),
                o => new FastNet(o), o => FastNet.FeatureWidth(o.WidthMultiplier ?? 1.0)),
            new(new("preact-resnet18", "Pre-activation ResNet-18, CIFAR stem (He et al. 2016b)", 32, 100, PreAct),
                o => new PreActResNet(new[] { 2, 2, 2, 2 }, o), _ => PreActResNet.FeatureWidth),
            new(new("wrn-28-10", "WideResNet-28-10, pre-activation, dropout in blocks (Zagoruyko & Komodakis 2016)", 32, 100, PreAct),
                o => new WideResNet(28, 10, o), _ => WideResNet.FeatureWidth(10)),
            new(new("wrn-28-2", "WideResNet-28-2", 32, 100, PreAct),
                o => new WideResNet(28, 2, o), _ => WideResNet.FeatureWidth(2)),
            new(new("wrn", "WideResNet-d-k with depth (6n+4) and widen_factor as options (default 28-10)", 32, 100, PreAct.Append("depth").Append("widen_factor").ToArray()),
                o => new WideResNet(o.Depth ?? 28, o.WidenFactor ?? 10, o), o => WideResNet.FeatureWidth(o.WidenFactor ?? 10)),
            new(new("mobilenetv2", "MobileNetV2 (Sandler et al. 2018), torchvision layout", 224, 1000, new[] { "drop_path_rate", "norm", "width_multiplier" }),
                o => new MobileNetV2(o), o => MobileNetV2.FeatureWidth(o.WidthMultiplier ?? 1.0)),
            new(new("mobilenetv2-cifar", "MobileNetV2 with stride 1 in the stem and second stage, for 32x32 inputs", 32, 100, new[] { "drop_path_rate", "norm", "width_multiplier" }),
                o => new MobileNetV2(o, cifar: true), o => MobileNetV2.FeatureWidth(o.WidthMultiplier ?? 1.0)),
            new(new("vit-tiny-cifar", "Vision Transformer, ViT-Tiny width (D 192, 3 heads, 12 blocks), 4x4 patches", 32, 100,
                    new[] { "drop_path_rate", "patch_size", "depth", "heads", "embed_dim" }),
                o => new VisionTransformer(o), o => o.EmbedDim ?? VisionTransformer.DefaultEmbedDim),
        };
        foreach (int depth in new[] { 18, 34, 50 })
        {
            long width = ResNet.FeatureWidth(depth);
            list.Add(new(new($"resnet{depth}", $"ResNet-{depth}, ImageNet stem (7x7/2 conv, max-pool), torchvision layout", 224, 1000, Residual),
                o => ResNet.Create(depth, cifarStem: false, o), _ => width));
            list.Add(new(new($"resnet{depth}-cifar", $"ResNet-{depth}, CIFAR stem (3x3/1 conv, no max-pool)", 32, 100, Residual),
                o => ResNet.Create(depth, cifarStem: true, o), _ => width));
        }
        foreach (int depth in new[] { 18, 50 })
        {
            long width = ResNet.FeatureWidth(depth);
            list.Add(new(new($"se-resnet{depth}", $"SE-ResNet-{depth}, ImageNet stem, SE reduction r (default 16)", 224, 1000, Residual.Append("se_reduction").ToArray()),
                o => SeResNet.Create(depth, cifarStem: false, o), _ => width));
            list.Add(new(new($"se-resnet{depth}-cifar", $"SE-ResNet-{depth}, CIFAR stem", 32, 100, Residual.Append("se_reduction").ToArray()),
                o => SeResNet.Create(depth, cifarStem: true, o), _ => width));
            list.Add(new(new($"eca-resnet{depth}", $"ECA-ResNet-{depth}, ImageNet stem, adaptive kernel (gamma 2, b 1)", 224, 1000, Residual),
                o => EcaResNet.Create(depth, cifarStem: false, o), _ => width));
            list.Add(new(new($"eca-resnet{depth}-cifar", $"ECA-ResNet-{depth}, CIFAR stem", 32, 100, Residual),
                o => EcaResNet.Create(depth, cifarStem: true, o), _ => width));
        }
        return list.ToDictionary(e => e.Info.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The registered names, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>What the registry knows about <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones).</exception>
    public static ModelInfo Info(string name) => Find(name).Info;

    /// <summary>
    /// Builds the model <paramref name="name"/> with <paramref name="options"/> (defaults when null). The result is
    /// also an <see cref="IFeatureModel"/>; with <see cref="ModelOptions.NumClasses"/> = 0 it has no classifier.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name, an option the family does not support, or an invalid value.</exception>
    public static nn.Module<Tensor, Tensor> Create(string name, ModelOptions? options = null)
    {
        options ??= new ModelOptions();
        return Checked(name, options).Build(options);
    }

    /// <summary>
    /// F, the width of the features the model <paramref name="name"/> built with <paramref name="options"/> returns
    /// headless or from <see cref="IFeatureModel.ForwardFeatures"/>, without building it (the options are checked as
    /// by <see cref="Create"/>). For a built model read <see cref="IFeatureModel.NumFeatures"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name, an option the family does not support, or an invalid value.</exception>
    public static long NumFeatures(string name, ModelOptions? options = null)
    {
        options ??= new ModelOptions();
        return Checked(name, options).Features(options);
    }

    static Entry Checked(string name, ModelOptions options)
    {
        var entry = Find(name);
        var unsupported = options.ExplicitOptions().Where(o => !entry.Info.SupportedOptions.Contains(o)).ToList();
        if (unsupported.Count > 0)
            throw new ArgumentException(
                $"Model '{entry.Info.Name}' does not support {string.Join(", ", unsupported)}; it accepts num_classes, in_channels, input_size, drop_rate"
                + (entry.Info.SupportedOptions.Count > 0 ? ", " + string.Join(", ", entry.Info.SupportedOptions) : "") + ".");
        if (options.NumClasses is < 0) throw new ArgumentException($"num_classes must be at least 1, or 0 for the model without its classifier (features only); got {options.NumClasses}.");
        if (options.InChannels < 1) throw new ArgumentException($"in_channels must be at least 1; got {options.InChannels}.");
        if (options.DropRate is < 0 or >= 1) throw new ArgumentException($"drop_rate must be in [0, 1); got {options.DropRate}.");
        if (options.DropPathRate is < 0 or >= 1) throw new ArgumentException($"drop_path_rate must be in [0, 1); got {options.DropPathRate}.");
        return entry;
    }

    static Entry Find(string name) =>
        Entries.TryGetValue(name.Trim(), out var e)
            ? e
            : throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", Names)}.", nameof(name));
}
