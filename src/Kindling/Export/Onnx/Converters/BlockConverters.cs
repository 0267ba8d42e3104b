using Kindling.Models.Blocks;
using TorchSharp;
using static Kindling.Export.Onnx.OnnxAttribute;

namespace Kindling.Export.Onnx.Converters;

/// <summary>Converters for Kindling's building blocks (Models/Blocks), each following the block's forward.</summary>
public static class BlockConverters
{
    /// <summary>Adds the block converters to <paramref name="r"/>.</summary>
    public static void Register(OnnxConverterRegistry r)
    {
        r.Register<ConvBnAct>((c, m, x) => Chain(c, m, x, "conv", "bn", "act"));
        r.Register<BasicBlock>((c, m, x) =>
        {
            var y = Chain(c, m, x, "conv1", "bn1", "act1", "conv2", "bn2", "attn", "drop_path");
            return c.Child(m, "act2", c.Node("Add", new[] { y, c.OptionalChild(m, "downsample", x) }));
        });
        r.Register<Bottleneck>((c, m, x) =>
        {
            var y = Chain(c, m, x, "conv1", "bn1", "act1", "conv2", "bn2", "act2", "conv3", "bn3", "attn", "drop_path");
            return c.Child(m, "act3", c.Node("Add", new[] { y, c.OptionalChild(m, "downsample", x) }));
        });
        r.Register<PreActBlock>((c, m, x) =>
        {
            var pre = Chain(c, m, x, "bn1", "act1");
            var skip = OnnxConversion.TryChild(m, "shortcut") is null ? x : c.Child(m, "shortcut", pre);
            var y = Chain(c, m, pre, "conv1", "dropout", "bn2", "act2", "conv2", "drop_path");
            return c.Node("Add", new[] { y, skip });
        });
        r.Register<InvertedResidual>((c, m, x) =>
        {
            var y = Chain(c, m, x, "expand", "depthwise", "project");
            return m.UsesResidual ? c.Node("Add", new[] { c.OptionalChild(m, "drop_path", y), x }) : y;
        });
        r.Register<SqueezeExcitation>((c, m, x) =>
        {
            var s = c.Node("Flatten", new[] { c.Child(m, "avg_pool", x) }, Of("axis", 1L));
            var w = c.Node("Unsqueeze", new[] { c.Child(m, "fc", s), c.Int64s(2, 3) });
            return c.Node("Mul", new[] { x, w });
        });
        r.Register<EfficientChannelAttention>((c, m, x) =>
        {
            // (B, C, 1, 1) -> (B, 1, C): the 1-D convolution slides over the channels.
            var s = c.Node("Reshape", new[] { c.Child(m, "avg_pool", x), c.Int64s(0, 1, -1) });
            var w = c.Node("Reshape", new[] { c.Child(m, "conv", s), c.Int64s(0, -1, 1, 1) });
            return c.Node("Mul", new[] { x, c.Child(m, "sigmoid", w) });
        });
        r.Register<MultiHeadSelfAttention>((c, m, x) => Chain(c, m, x, "qkv", "attend", "proj"));
        r.Register<ScaledDotProductAttention>(Attention);
        r.Register<TransformerBlock>((c, m, x) =>
        {
            var y = Chain(c, m, x, "norm1", "attn", "drop_path1");
            x = c.Node("Add", new[] { x, y });
            y = Chain(c, m, x, "norm2", "mlp", "drop_path2");
            return c.Node("Add", new[] { x, y });
        });
        r.Register<TokenEmbedding>((c, m, x) =>
        {
            var p = m.named_parameters().ToDictionary(n => n.name, n => n.parameter);
            var tokens = c.Node("Transpose", new[] { c.Node("Reshape", new[] { x, c.Int64s(0, 0, -1) }) }, Of("perm", 0L, 2L, 1L));
            // Broadcast the (1, 1, D) class token to (B, 1, D): the batch size comes from the input.
            var batch = c.Node("Shape", new[] { tokens }, Of("start", 0L), Of("end", 1L));
            var shape = c.Node("Concat", new[] { batch, c.Int64s(1, 1) }, Of("axis", 0L));
            var cls = c.Node("Expand", new[] { c.Initializer(p["cls_token"], "cls_token"), shape });
            var seq = c.Node("Concat", new[] { cls, tokens }, Of("axis", 1L));
            return c.Node("Add", new[] { seq, c.Initializer(p["pos_embed"], "pos_embed") });
        });
    }

    /// <summary>Converts the named children that are present, in order, each on the previous one's output.</summary>
    public static string Chain(OnnxConversion c, torch.nn.Module m, string x, params string[] names)
    {
        foreach (var name in names) x = c.OptionalChild(m, name, x);
        return x;
    }

    static string Attention(OnnxConversion c, ScaledDotProductAttention m, string qkv)
    {
        // (B, N, 3D) -> (3, B, H, N, D/H), then softmax(Q Kᵀ / √(D/H)) V, merged back to (B, N, D).
        var parts = c.Node("Transpose", new[] { c.Node("Reshape", new[] { qkv, c.Int64s(0, 0, 3, m.Heads, -1) }) }, Of("perm", 2L, 0L, 3L, 1L, 4L));
        var qkvSplit = c.Nodes("Split", new[] { parts, c.Int64s(1, 1, 1) }, 3, Of("axis", 0L));
        string Head(int i) => c.Node("Squeeze", new[] { qkvSplit[i], c.Int64s(0) });
        var (q, k, v) = (Head(0), Head(1), Head(2));
        var headDim = c.Node("Cast", new[] { c.Node("Shape", new[] { q }, Of("start", -1L)) }, Of("to", (long)OnnxDataType.Float));
        var scores = c.Node("Div", new[] { c.Node("MatMul", new[] { q, c.Node("Transpose", new[] { k }, Of("perm", 0L, 1L, 3L, 2L)) }), c.Node("Sqrt", new[] { headDim }) });
        var y = c.Node("MatMul", new[] { c.Node("Softmax", new[] { scores }, Of("axis", -1L)), v });
        return c.Node("Reshape", new[] { c.Node("Transpose", new[] { y }, Of("perm", 0L, 2L, 1L, 3L)), c.Int64s(0, 0, -1) });
    }
}
