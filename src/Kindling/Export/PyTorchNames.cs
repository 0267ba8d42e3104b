using System.Text.RegularExpressions;

namespace Kindling.Export;

/// <summary>
/// Kindling's parameter and buffer names as PyTorch's own definitions of the same models name them, so a
/// state dict moves between the two with <c>load_state_dict(strict=True)</c>. ResNet, the seed CNN and the
/// other families already use torchvision's (or the committed Python definition's) submodule names; MobileNetV2
/// groups each convolution with its norm (<c>features.3.expand.conv</c>) where torchvision numbers them
/// (<c>features.3.conv.0.0</c>), and names its classifier <c>classifier.fc</c> where torchvision has
/// <c>classifier.1</c>.
/// </summary>
public static partial class PyTorchNames
{
    /// <summary>The PyTorch name of each of <paramref name="names"/> (a model's parameter and buffer names) for the registry model <paramref name="model"/>.</summary>
    /// <param name="model">A registry name (e.g. resnet18, mobilenetv2, seed-cnn).</param>
    /// <param name="names">The model's state names as Kindling has them.</param>
    public static IReadOnlyDictionary<string, string> Map(string model, IReadOnlyCollection<string> names)
    {
        var key = model.Trim().ToLowerInvariant();
        if (key is "mobilenetv2" or "mobilenetv2-cifar")
        {
            var set = names.ToHashSet();
            return names.ToDictionary(n => n, n => MobileNetV2(n, set));
        }
        return names.ToDictionary(n => n, n => n);
    }

    static string MobileNetV2(string name, HashSet<string> names)
    {
        var block = Block().Match(name);
        if (block.Success)
        {
            // torchvision's InvertedResidual.conv: [expand ConvBNReLU]?, depthwise ConvBNReLU, project conv, project BN.
            string index = block.Groups["index"].Value, part = block.Groups["part"].Value, layer = block.Groups["layer"].Value, rest = block.Groups["rest"].Value;
            int depthwise = names.Any(n => n.StartsWith($"features.{index}.expand.", StringComparison.Ordinal)) ? 1 : 0;
            string slot = part switch
            {
                "expand" => $"0.{(layer == "conv" ? 0 : 1)}",
                "depthwise" => $"{depthwise}.{(layer == "conv" ? 0 : 1)}",
                _ => $"{depthwise + (layer == "conv" ? 1 : 2)}",
            };
            return $"features.{index}.conv.{slot}.{rest}";
        }
        var convBn = ConvBn().Match(name);
        if (convBn.Success)
            return $"features.{convBn.Groups["index"].Value}.{(convBn.Groups["layer"].Value == "conv" ? 0 : 1)}.{convBn.Groups["rest"].Value}";
        return name.StartsWith("classifier.fc.", StringComparison.Ordinal) ? "classifier.1." + name["classifier.fc.".Length..] : name;
    }

    [GeneratedRegex(@"^features\.(?<index>\d+)\.(?<part>expand|depthwise|project)\.(?<layer>conv|bn)\.(?<rest>.+)$")]
    private static partial Regex Block();

    [GeneratedRegex(@"^features\.(?<index>\d+)\.(?<layer>conv|bn)\.(?<rest>.+)$")]
    private static partial Regex ConvBn();
}
