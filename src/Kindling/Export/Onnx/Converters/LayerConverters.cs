using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static Kindling.Export.Onnx.OnnxAttribute;
using static TorchSharp.torch;

namespace Kindling.Export.Onnx.Converters;

/// <summary>Converters for TorchSharp's layers (eval-mode semantics: dropout and stochastic depth are the identity).</summary>
public static class LayerConverters
{
    /// <summary>Adds the layer converters to <paramref name="r"/>.</summary>
    public static void Register(OnnxConverterRegistry r)
    {
        r.Register<Sequential>((c, m, x) =>
        {
            foreach (var (name, child) in m.named_children()) x = c.Convert(child, x, name);
            return x;
        });
        r.Register<Conv2d>((c, m, x) => Conv(c, m, x, m.weight, m.bias));
        r.Register<Conv1d>((c, m, x) => Conv(c, m, x, m.weight, m.bias));
        r.Register<Linear>((c, m, x) => Linear(c, x, m.weight, m.bias));
        r.Register<BatchNorm2d>((c, m, x) => c.Node("BatchNormalization",
            new[] { x, c.Initializer(m.weight ?? torch.ones(m.num_features), "weight"), c.Initializer(m.bias ?? torch.zeros(m.num_features), "bias"),
                c.Initializer(Stat(m.running_mean, "running_mean"), "running_mean"), c.Initializer(Stat(m.running_var, "running_var"), "running_var") },
            Of("epsilon", (float)m.eps)));
        r.Register<GroupNorm>(GroupNorm);
        r.Register<LayerNorm>((c, m, x) =>
        {
            if (m.normalized_shape.Length != 1) throw new OnnxExportException($"LayerNorm at '{c.Scope}' normalizes {m.normalized_shape.Length} dimensions; only the last one is supported.");
            long d = m.normalized_shape[0];
            return c.Node("LayerNormalization",
                new[] { x, c.Initializer(m.weight ?? torch.ones(d), "weight"), c.Initializer(m.bias ?? torch.zeros(d), "bias") },
                Of("axis", -1L), Of("epsilon", (float)m.eps));
        });
        r.Register<ReLU>((c, _, x) => c.Node("Relu", new[] { x }));
        r.Register<ReLU6>((c, _, x) => c.Node("Clip", new[] { x, c.Scalar(0f), c.Scalar(6f) }));
        r.Register<Sigmoid>((c, _, x) => c.Node("Sigmoid", new[] { x }));
        r.Register<GELU>(Gelu);
        r.Register<MaxPool2d>((c, m, x) =>
        {
            if (m.dilation.Any(d => d != 1)) throw new OnnxExportException($"MaxPool2d at '{c.Scope}' is dilated; only dilation 1 is supported.");
            return c.Node("MaxPool", new[] { x }, Of("kernel_shape", m.kernel_size), Of("strides", m.stride ?? m.kernel_size),
                Of("pads", Pads(m.padding)), Of("ceil_mode", m.ceil_mode ? 1L : 0L));
        });
        r.Register<AdaptiveAvgPool2d>((c, m, x) => GlobalPool(c, m.output_size, "GlobalAveragePool", x));
        r.Register<AdaptiveMaxPool2d>((c, m, x) => GlobalPool(c, m.output_size, "GlobalMaxPool", x));
        r.Register<Flatten>((c, m, x) => m.start_dim == 1 && m.end_dim == -1
            ? c.Node("Flatten", new[] { x }, Of("axis", 1L))
            : throw new OnnxExportException($"Flatten at '{c.Scope}' flattens dims {m.start_dim}..{m.end_dim}; only 1..-1 is supported."));
        r.Register<Dropout>((_, _, x) => x);
        r.Register<Identity>((_, _, x) => x);
        r.Register<StochasticDepth>((_, _, x) => x);
    }

    /// <summary>A convolution (1-D or 2-D) with the module's stride, padding, dilation and groups.</summary>
    public static string Conv(OnnxConversion c, Convolution m, string x, Tensor weight, Tensor? bias)
    {
        if (m.padding is null) throw new OnnxExportException($"Convolution at '{c.Scope}' uses a padding mode ('same'/'valid'); give explicit padding to export it.");
        if (m.padding_mode != PaddingModes.Zeros) throw new OnnxExportException($"Convolution at '{c.Scope}' pads with {m.padding_mode}; only zero padding is supported.");
        var inputs = new List<string> { x, c.Initializer(weight, "weight") };
        if (bias is not null) inputs.Add(c.Initializer(bias, "bias"));
        return c.Node("Conv", inputs, Of("kernel_shape", m.kernel_size), Of("strides", m.stride), Of("pads", Pads(m.padding)),
            Of("dilations", m.dilation), Of("group", m.groups));
    }

    /// <summary>
    /// y = x Wᵀ + b as MatMul with the transposed weight stored (in, out), then Add: unlike Gemm this
    /// also takes the ViT's (B, N, D) tokens, and quantizers treat MatMul alike for every rank.
    /// </summary>
    public static string Linear(OnnxConversion c, string x, Tensor weight, Tensor? bias)
    {
        var y = c.Node("MatMul", new[] { x, c.Initializer(weight.t(), "weight") });
        return bias is null ? y : c.Node("Add", new[] { y, c.Initializer(bias, "bias") });
    }

    static string Gelu(OnnxConversion c, GELU m, string x)
    {
        if (m.approximate != GELU.Approximate.none) throw new OnnxExportException($"GELU at '{c.Scope}' uses the tanh approximation; only the exact (erf) form is supported.");
        // Opset 17 has no Gelu: 0.5·x·(1 + erf(x/√2)), which ONNX Runtime fuses back into one Gelu kernel.
        var erf = c.Node("Erf", new[] { c.Node("Div", new[] { x, c.Scalar(MathF.Sqrt(2f)) }) });
        var half = c.Node("Mul", new[] { x, c.Scalar(0.5f) });
        return c.Node("Mul", new[] { half, c.Node("Add", new[] { erf, c.Scalar(1f) }) });
    }

    static string GroupNorm(OnnxConversion c, GroupNorm m, string x)
    {
        // Normalize over (C/G, H, W) per group: reshape to (N, G, -1), InstanceNormalization with unit
        // scale, back to the input's shape, then the per-channel affine.
        long g = m.num_groups;
        var grouped = c.Node("Reshape", new[] { x, c.Int64s(0, g, -1) });
        var normed = c.Node("InstanceNormalization", new[] { grouped, c.Floats(new[] { g }, Enumerable.Repeat(1f, (int)g).ToArray()), c.Floats(new[] { g }, new float[g]) },
            Of("epsilon", (float)m.eps));
        var y = c.Node("Reshape", new[] { normed, c.Node("Shape", new[] { x }) });
        if (!m.affine || m.weight is null) return y;
        long ch = m.weight.shape[0];
        y = c.Node("Mul", new[] { y, c.Initializer(m.weight.reshape(ch, 1, 1), "weight") });
        return m.bias is null ? y : c.Node("Add", new[] { y, c.Initializer(m.bias.reshape(ch, 1, 1), "bias") });
    }

    static string GlobalPool(OnnxConversion c, long[] outputSize, string op, string x) =>
        outputSize.All(s => s == 1)
            ? c.Node(op, new[] { x })
            : throw new OnnxExportException($"Adaptive pooling at '{c.Scope}' to {string.Join("x", outputSize)}; only output size 1 is supported.");

    static Tensor Stat(Tensor? t, string name) => t ?? throw new OnnxExportException($"BatchNorm2d has no {name}: export needs tracked running statistics.");

    static long[] Pads(long[] padding) => padding.Concat(padding).ToArray();
}
