namespace Kindling.Compression.Channels;

/// <summary>A convolution whose output channels belong to a <see cref="ChannelGroup"/>, and the BatchNorm right after it (null if none).</summary>
/// <param name="Conv">The convolution's <c>named_modules()</c> path.</param>
/// <param name="Norm">The BatchNorm's path, or null.</param>
public sealed record ChannelProducer(string Conv, string? Norm);
