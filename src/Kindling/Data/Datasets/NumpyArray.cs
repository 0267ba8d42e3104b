using System.Collections;

namespace Kindling.Data.Datasets;

/// <summary>
/// A numpy ndarray as unpickled: numpy pickles arrays as <c>_reconstruct(ndarray, (0,), b'b')</c>
/// followed by <c>__setstate__((version, shape, dtype, is_fortran, rawdata))</c>. Only what the
/// data set files use is supported: C-ordered uint8 arrays.
/// </summary>
sealed class NumpyArray
{
    public int[] Shape { get; private set; } = [];
    public NumpyDType? DType { get; private set; }
    public byte[] Data { get; private set; } = [];

    // Razorvine calls this by reflection for the BUILD opcode.
    public void __setstate__(object[] state)
    {
        // Version 1 states have 5 items; very old numpy wrote 4 (no version).
        int o = state.Length == 5 ? 1 : 0;
        if (state.Length - o != 4)
            throw new InvalidDataException($"a numpy array state has {state.Length} items; expected (version, shape, dtype, is_fortran, data).");
        Shape = ((IEnumerable)state[o]).Cast<object>().Select(Convert.ToInt32).ToArray();
        DType = state[o + 1] as NumpyDType ?? throw new InvalidDataException("a numpy array state has no dtype.");
        if (state[o + 2] is true)
            throw new NotSupportedException("Fortran-ordered numpy arrays are not supported; the data set files are C-ordered.");
        Data = state[o + 3] switch
        {
            byte[] b => b,
            // Python 2 pickles (the official CIFAR files) hold raw bytes as str; latin1 maps them back one to one.
            string s => System.Text.Encoding.Latin1.GetBytes(s),
            var other => throw new NotSupportedException($"numpy arrays of Python objects ({other?.GetType().Name ?? "None"}) are not supported; expected raw uint8 data."),
        };
    }
}
