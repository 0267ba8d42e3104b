using Kindling.Models;
using static Kindling.Export.Onnx.Converters.BlockConverters;
using static Kindling.Export.Onnx.OnnxAttribute;

namespace Kindling.Export.Onnx.Converters;

/// <summary>Converters for the registry's model families, each following the family's forward.</summary>
public static class ModelConverters
{
    /// <summary>Adds the model converters to <paramref name="r"/>.</summary>
    public static void Register(OnnxConverterRegistry r)
    {
        r.Register<SeedCnn>((c, m, x) => Chain(c, m, x, "features", "classifier"));
        r.Register<FastNet>((c, m, x) => Chain(c, m, x, "body", "head"));
        r.Register<ResNet>((c, m, x) => Chain(c, m, x, "conv1", "bn1", "act1", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "flatten", "dropout", "fc"));
        r.Register<PreActResNet>((c, m, x) => Chain(c, m, x, "conv1", "layer1", "layer2", "layer3", "layer4", "bn", "act", "avgpool", "flatten", "dropout", "fc"));
        r.Register<WideResNet>((c, m, x) => Chain(c, m, x, "conv1", "block1", "block2", "block3", "bn", "act", "avgpool", "flatten", "fc"));
        r.Register<MobileNetV2>((c, m, x) => Chain(c, m, x, "features", "avgpool", "flatten", "classifier"));
        r.Register<VisionTransformer>((c, m, x) =>
        {
            var tokens = Chain(c, m, x, "patch_embed", "embed", "blocks", "norm");
            // The class token: select(1, 0) drops the token axis.
            var cls = c.Node("Gather", new[] { tokens, c.Add(OnnxTensor.FromInt64s(c.Unique("cls_index"), Array.Empty<long>(), new long[] { 0 })) }, Of("axis", 1L));
            return Chain(c, m, cls, "head_drop", "head");
        });
    }
}
