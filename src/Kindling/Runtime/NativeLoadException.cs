namespace Kindling.Runtime;

/// <summary>libtorch (through TorchSharp's libLibTorchSharp) could not be loaded; <see cref="Diagnosis"/> says why and what to do.</summary>
public sealed class NativeLoadException : Exception
{
    public NativeLoadDiagnosis Diagnosis { get; }

    public NativeLoadException(NativeLoadDiagnosis diagnosis, Exception? inner = null)
        : base(diagnosis.ToString(), inner) => Diagnosis = diagnosis;
}
