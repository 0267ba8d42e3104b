using Kindling.Models;
using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Compression.Channels;

/// <summary>
/// Which channels of a model can be removed together (<see cref="ChannelGroup"/>), for the families whose wiring
/// is known: the seed CNN (each convolution its own group; the last feeds the first linear layer through a flatten)
/// and ResNets of basic or bottleneck blocks (each block's inner convolutions; each stage's residual stream: the
/// stem or the first block's projection plus every block's last convolution, read by the next blocks, the next
/// projection and the classifier). Residual streams are pruned together, never partly. Other families (SE/ECA
/// attention, pre-activation, MobileNetV2's depthwise and inverted residuals, FastNet, ViT) are refused.
/// </summary>
public static class ChannelTopology
{
    /// <summary>The channel groups of <paramref name="model"/>, in forward order.</summary>
    /// <exception cref="NotSupportedException">A family whose wiring is not described here.</exception>
    public static IReadOnlyList<ChannelGroup> Of(nn.Module model) => model switch
    {
        SeedCnn => SeedCnnGroups(model),
        Models.ResNet => ResNetGroups(model),
        _ => throw new NotSupportedException(
            $"Structured pruning that removes channels knows the wiring of seed-cnn and the ResNets (resnet18/34/50, -cifar); not of {model.GetType().Name}. " +
            "Use unstructured pruning, or masks without shrinking."),
    };

    static Dictionary<string, nn.Module> Modules(nn.Module model) => model.named_modules().ToDictionary(m => m.name, m => m.module);

    static IReadOnlyList<ChannelGroup> SeedCnnGroups(nn.Module model)
    {
        var modules = Modules(model);
        var groups = new List<ChannelGroup>();
        var convs = modules.Where(m => m.Value is Conv2d && m.Key.StartsWith("features.", StringComparison.Ordinal)).Select(m => m.Key).ToList();
        for (int i = 0; i < convs.Count; i++)
        {
            string conv = convs[i];
            string norm = conv[..conv.LastIndexOf('.')] + ".bn" + conv[^1];
            var producer = new ChannelProducer(conv, modules.GetValueOrDefault(norm) is BatchNorm ? norm : null);
            ChannelConsumer consumer;
            if (i + 1 < convs.Count) consumer = new(convs[i + 1]);
            else
            {
                var fc = (Linear)modules["classifier.fc1"];
                long channels = ((Conv2d)modules[conv]).out_channels;
                consumer = new("classifier.fc1", (int)(fc.in_features / channels));
            }
            groups.Add(new ChannelGroup(new[] { producer }, new[] { consumer }));
        }
        return groups;
    }

    static IReadOnlyList<ChannelGroup> ResNetGroups(nn.Module model)
    {
        var modules = Modules(model);
        if (modules.Keys.Any(k => k.EndsWith(".attn", StringComparison.Ordinal)))
            throw new NotSupportedException("ResNets with SE or ECA attention are not supported by channel removal: the attention layers read the channels too.");
        var groups = new List<ChannelGroup>();
        var streamProducers = new List<ChannelProducer> { new("conv1", "bn1") };
        var streamConsumers = new List<ChannelConsumer>();
        var blocks = modules.Where(m => m.Value is BasicBlock or Bottleneck).Select(m => (Name: m.Key, Bottleneck: m.Value is Bottleneck)).ToList();
        foreach (var (block, bottleneck) in blocks)
        {
            string P(string child) => $"{block}.{child}";
            bool projects = modules.ContainsKey(P("downsample"));
            streamConsumers.Add(new(P("conv1")));
            if (projects)
            {
                streamConsumers.Add(new(P("downsample.0")));
                groups.Add(new ChannelGroup(streamProducers, streamConsumers));
                streamProducers = new() { new(P("downsample.0"), P("downsample.1")) };
                streamConsumers = new();
            }
            groups.Add(new ChannelGroup(new[] { new ChannelProducer(P("conv1"), P("bn1")) }, new[] { new ChannelConsumer(P("conv2")) }));
            if (bottleneck)
                groups.Add(new ChannelGroup(new[] { new ChannelProducer(P("conv2"), P("bn2")) }, new[] { new ChannelConsumer(P("conv3")) }));
            streamProducers.Add(bottleneck ? new(P("conv3"), P("bn3")) : new(P("conv2"), P("bn2")));
        }
        // Headless (no fc) the last stream is the features' width F, which whatever reads the encoder was sized by.
        if (!modules.ContainsKey("fc")) return groups;
        streamConsumers.Add(new("fc"));
        groups.Add(new ChannelGroup(streamProducers, streamConsumers));
        return groups;
    }
}
