using Kindling.Export.Onnx.Converters;
using TorchSharp;

namespace Kindling.Export.Onnx;

/// <summary>
/// Converters keyed by module type. <see cref="Default"/> knows TorchSharp's layers, Kindling's blocks and
/// every registry model; a new module type plugs in with <see cref="Register{TModule}"/> on a copy
/// (<see cref="Clone"/>) or on <see cref="Default"/>. Lookup is by exact type, then base types.
/// </summary>
public sealed class OnnxConverterRegistry
{
    readonly Dictionary<Type, OnnxConverter> converters = new();

    /// <summary>The registry with every built-in converter.</summary>
    public static OnnxConverterRegistry Default { get; } = CreateDefault();

    static OnnxConverterRegistry CreateDefault()
    {
        var r = new OnnxConverterRegistry();
        LayerConverters.Register(r);
        BlockConverters.Register(r);
        ModelConverters.Register(r);
        return r;
    }

    /// <summary>Adds or replaces the converter for <typeparamref name="TModule"/>.</summary>
    public OnnxConverterRegistry Register<TModule>(Func<OnnxConversion, TModule, string, string> convert) where TModule : torch.nn.Module
    {
        converters[typeof(TModule)] = (c, m, x) => convert(c, (TModule)m, x);
        return this;
    }

    /// <summary>A copy to extend without changing <see cref="Default"/>.</summary>
    public OnnxConverterRegistry Clone()
    {
        var copy = new OnnxConverterRegistry();
        foreach (var (t, c) in converters) copy.converters[t] = c;
        return copy;
    }

    /// <summary>The module types with a converter.</summary>
    public IReadOnlyCollection<Type> ModuleTypes => converters.Keys;

    /// <summary>The converter for <paramref name="moduleType"/> or its nearest base type, or null.</summary>
    public OnnxConverter? Find(Type moduleType)
    {
        for (var t = moduleType; t is not null; t = t.BaseType)
            if (converters.TryGetValue(t, out var c)) return c;
        return null;
    }
}
