using Kindling.Config.Yaml;
using Kindling.Models;
using Kindling.Models.Blocks;

namespace Kindling.Config.Sections;

/// <summary>The <c>model</c> section: a registry name and the common constructor arguments (timm's names); nulls come from the data.</summary>
public sealed record ModelRecipe
{
    /// <summary>A name from <see cref="ModelRegistry.Names"/>.</summary>
    public string Name { get; init; } = "resnet18-cifar";

    /// <summary>Classes; null: the data's classes; 0: the model without its classifier (features only), which a classification run refuses.</summary>
    public int? NumClasses { get; init; }

    /// <summary>Input channels; null: the data's channels.</summary>
    public int? InChannels { get; init; }

    /// <summary>Input side; null: the data's image side.</summary>
    public int? InputSize { get; init; }

    /// <summary>Dropout before the classifier; null: the family's default.</summary>
    public double? DropRate { get; init; }

    /// <summary>Stochastic depth at the deepest block.</summary>
    public double DropPathRate { get; init; }

    /// <summary>batch, group(G) or none; null: the family's default.</summary>
    public string? Norm { get; init; }

    /// <summary>Zero the last BatchNorm of every residual block so blocks start as identities.</summary>
    public bool ZeroInitLastBn { get; init; }

    /// <summary>Channel multiplier (MobileNetV2).</summary>
    public double? WidthMultiplier { get; init; }

    /// <summary>Depth (WideResNet, ViT).</summary>
    public int? Depth { get; init; }

    /// <summary>Widen factor (WideResNet).</summary>
    public int? WidenFactor { get; init; }

    /// <summary>Squeeze-and-excitation reduction (SE-ResNet).</summary>
    public int? SeReduction { get; init; }

    /// <summary>Patch side (ViT).</summary>
    public int? PatchSize { get; init; }

    /// <summary>Attention heads (ViT).</summary>
    public int? Heads { get; init; }

    /// <summary>Embedding width (ViT).</summary>
    public int? EmbedDim { get; init; }

    /// <summary>
    /// A pretraining checkpoint (task simclr, moco, ...: an <c>IPretrainedEncoder</c>) whose encoder the classifier's
    /// backbone starts from (fine-tuning); the head starts fresh. Null: the model's own initialisation.
    /// </summary>
    public string? Pretrained { get; init; }

    /// <summary>
    /// A structurally pruned model's widths: the output channels of every Conv2d in named_modules order
    /// (<see cref="Kindling.Compression.Channels.ChannelPlan"/>); null: the family's own widths. Written by <c>kindling prune</c>.
    /// </summary>
    public IReadOnlyList<int>? Channels { get; init; }

    /// <summary>The registry's options, with the data's classes, channels and image side where the recipe leaves them null.</summary>
    public ModelOptions ToOptions(int dataClasses, int dataChannels, int dataSize) =>
        ToOptions(dataClasses, dataChannels, dataSize, Norm is null ? null : NormSpec.Parse(Norm));

    ModelOptions ToOptions(int dataClasses, int dataChannels, int dataSize, NormSpec? norm) => new()
    {
        NumClasses = NumClasses ?? dataClasses,
        InChannels = InChannels ?? dataChannels,
        InputSize = InputSize ?? dataSize,
        DropRate = DropRate,
        DropPathRate = DropPathRate,
        Norm = norm,
        ZeroInitLastBn = ZeroInitLastBn,
        WidthMultiplier = WidthMultiplier,
        Depth = Depth,
        WidenFactor = WidenFactor,
        SeReduction = SeReduction,
        PatchSize = PatchSize,
        Heads = Heads,
        EmbedDim = EmbedDim,
    };

    internal void Validate(RecipeErrors e, string path)
    {
        e.OneOf(path + ".name", Name, ModelRegistry.Names, "model");
        e.Check(NumClasses is null or >= 0, path + ".num_classes", NumClasses, ">= 1, 0 (no classifier: the model's features) or null (the data's classes)");
        e.Check(InChannels is null or >= 1, path + ".in_channels", InChannels, ">= 1 or null (the data's channels)");
        e.Check(InputSize is null or >= 1, path + ".input_size", InputSize, ">= 1 or null (the data's image side)");
        e.Check(DropRate is null or (>= 0 and < 1), path + ".drop_rate", DropRate, "a value in [0, 1)");
        e.Check(DropPathRate is >= 0 and < 1, path + ".drop_path_rate", DropPathRate, "a value in [0, 1)");
        e.Check(Pretrained is null || Pretrained.Trim().Length > 0, path + ".pretrained", Pretrained, "a pretraining checkpoint path, or null");
        e.Check(Channels is null || Channels.All(c => c >= 1), path + ".channels", Channels is null ? null : string.Join(", ", Channels), "channel counts >= 1");
        if (Norm is not null)
        {
            try { NormSpec.Parse(Norm); }
            catch (ArgumentException x) { e.Add(path + ".norm", x.Message); }
        }
        if (ModelRegistry.Names.Contains(Name, StringComparer.OrdinalIgnoreCase))
        {
            // The registry refuses options a family does not take; say so now rather than at build time.
            var supported = ModelRegistry.Info(Name).SupportedOptions;
            var options = ToOptions(1, 1, 1, null);
            foreach (var key in options.ExplicitOptions().Append(Norm is null ? "" : "norm").Where(k => k.Length > 0 && !supported.Contains(k)).Distinct())
                e.Add($"{path}.{key}", $"model '{Name}' does not take {key}; it takes num_classes, in_channels, input_size, drop_rate{(supported.Count > 0 ? ", " + string.Join(", ", supported) : "")}.");
        }
    }
}
