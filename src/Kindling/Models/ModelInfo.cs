namespace Kindling.Models;

/// <summary>What the registry knows about a model before building it.</summary>
/// <param name="Name">Registry name, e.g. <c>resnet18-cifar</c>.</param>
/// <param name="Description">One line: the architecture and its reference.</param>
/// <param name="DefaultInputSize">Input height and width the model was designed for (32 for CIFAR, 224 for ImageNet).</param>
/// <param name="DefaultClasses">Classes when <see cref="ModelOptions.NumClasses"/> is not set.</param>
/// <param name="SupportedOptions">The family options (snake_case) it accepts beyond num_classes, in_channels, input_size and drop_rate.</param>
public sealed record ModelInfo(string Name, string Description, int DefaultInputSize, int DefaultClasses, IReadOnlyList<string> SupportedOptions);
