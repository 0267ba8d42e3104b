using System.Collections;
using Razorvine.Pickle;

namespace Kindling.Data.Datasets;

/// <summary>Reads the pickled dicts of data set files (CIFAR's python layout) with Razorvine, taught numpy's array reconstruction.</summary>
static class NumpyPickle
{
    static NumpyPickle()
    {
        // Razorvine's constructor table is global; registering once is enough and is idempotent.
        foreach (var module in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
            Unpickler.registerConstructor(module, "_reconstruct", new Constructor(_ => new NumpyArray()));
        Unpickler.registerConstructor("numpy", "dtype", new Constructor(args => new NumpyDType(Convert.ToString(args[0]) ?? "")));
        // Python 3 writes bytes in protocol 2 as _codecs.encode(text, 'latin1').
        Unpickler.registerConstructor("_codecs", "encode", new Constructor(args =>
            System.Text.Encoding.GetEncoding(args.Length > 1 ? (string)args[1] : "utf-8").GetBytes((string)args[0])));
    }

    /// <summary>A pickled dict with its keys as text (str keys, or bytes keys decoded as latin1).</summary>
    public static Dictionary<string, object?> LoadDict(byte[] pickle, string file)
    {
        object result;
        try
        {
            using var unpickler = new Unpickler();
            result = unpickler.loads(pickle);
        }
        catch (Exception e) when (e is PickleException or InvalidCastException or InvalidDataException or NotSupportedException or IndexOutOfRangeException or ArgumentException or IOException)
        {
            throw new InvalidDataException($"{file}: not a readable pickle of a CIFAR batch ({e.Message}). Expected the official python-layout file; re-download or re-extract it.", e);
        }
        if (result is not IDictionary dict)
            throw new InvalidDataException($"{file}: the pickle holds a {result?.GetType().Name ?? "None"}; expected a dict.");
        var keyed = new Dictionary<string, object?>();
        foreach (DictionaryEntry e in dict)
            keyed[e.Key is byte[] b ? System.Text.Encoding.Latin1.GetString(b) : Convert.ToString(e.Key) ?? ""] = e.Value;
        return keyed;
    }

    /// <summary>A list of ints (labels).</summary>
    public static int[] IntList(Dictionary<string, object?> dict, string key, string file) =>
        Get(dict, key, file) is IEnumerable items and not string and not byte[]
            ? items.Cast<object>().Select(Convert.ToInt32).ToArray()
            : throw new InvalidDataException($"{file}: '{key}' is not a list of integers.");

    /// <summary>A list of strings (class names), bytes decoded as latin1.</summary>
    public static string[] StringList(Dictionary<string, object?> dict, string key, string file) =>
        Get(dict, key, file) is IEnumerable items and not string and not byte[]
            ? items.Cast<object>().Select(o => o is byte[] b ? System.Text.Encoding.Latin1.GetString(b) : Convert.ToString(o) ?? "").ToArray()
            : throw new InvalidDataException($"{file}: '{key}' is not a list of names.");

    /// <summary>A uint8 numpy array.</summary>
    public static NumpyArray UInt8Array(Dictionary<string, object?> dict, string key, string file)
    {
        if (Get(dict, key, file) is not NumpyArray a)
            throw new InvalidDataException($"{file}: '{key}' is not a numpy array.");
        if (a.DType?.Code is not ("u1" or "|u1" or "uint8" or "B"))
            throw new InvalidDataException($"{file}: '{key}' has dtype '{a.DType?.Code}'; expected uint8 ('u1').");
        long expected = a.Shape.Aggregate(1L, (p, d) => p * d);
        if (a.Data.Length != expected)
            throw new InvalidDataException($"{file}: '{key}' has shape ({string.Join(", ", a.Shape)}) but {a.Data.Length} bytes; expected {expected}.");
        return a;
    }

    static object? Get(Dictionary<string, object?> dict, string key, string file) =>
        dict.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{file}: the pickled dict has no '{key}' (keys: {string.Join(", ", dict.Keys)}).");

    sealed class Constructor(Func<object[], object> make) : IObjectConstructor
    {
        public object construct(object[] args) => make(args);
    }
}
