namespace Kindling.Compression.Channels;

/// <summary>
/// Channels that must be pruned together: the outputs of every producer (several when residual additions join
/// them: a ResNet stage's shortcut and the last convolution of each block) and the inputs of every consumer.
/// Removing channel c removes filter c of each producer, channel c of its BatchNorm and input channel c of each
/// consumer.
/// </summary>
/// <param name="Producers">The convolutions writing these channels (with their BatchNorms).</param>
/// <param name="Consumers">The layers reading them.</param>
public sealed record ChannelGroup(IReadOnlyList<ChannelProducer> Producers, IReadOnlyList<ChannelConsumer> Consumers)
{
    /// <summary>Whether an addition joins several producers (a residual stage).</summary>
    public bool IsResidual => Producers.Count > 1;
}
