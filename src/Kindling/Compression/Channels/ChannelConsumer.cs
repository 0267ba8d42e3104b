namespace Kindling.Compression.Channels;

/// <summary>A layer whose input channels (or features) are a <see cref="ChannelGroup"/>'s channels.</summary>
/// <param name="Layer">The convolution or linear layer's <c>named_modules()</c> path.</param>
/// <param name="FeaturesPerChannel">Input features per channel: 1 for a convolution or after global pooling; the
/// spatial size (H·W) for a linear layer after a flatten, whose features are channel-major.</param>
public sealed record ChannelConsumer(string Layer, int FeaturesPerChannel = 1);
