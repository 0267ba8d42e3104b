namespace Kindling.Data.Datasets;

/// <summary>A numpy dtype as unpickled: <c>dtype('u1', False, True)</c>, then <c>__setstate__</c> with its byte order.</summary>
sealed class NumpyDType(string code)
{
    public string Code { get; } = code;

    // Razorvine calls this by reflection for the BUILD opcode; the state (byte order, field info) is not needed for u1.
    public void __setstate__(object[] state) { }
}
