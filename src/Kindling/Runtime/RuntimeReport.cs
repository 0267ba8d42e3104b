namespace Kindling.Runtime;

/// <summary>What `kindling info` prints: versions, threads and devices; <see cref="OneDnn"/>, oneDNN's cap when one was decided (<see cref="OneDnnIsaCap"/>).</summary>
public sealed record RuntimeReport(
    string TorchSharpVersion,
    string LibTorchVersion,
    int IntraOpThreads,
    int InterOpThreads,
    int LogicalCores,
    bool CudaAvailable,
    int CudaDevices,
    string DefaultDevice,
    string Os,
    string Dotnet,
    string NativeLibrary,
    string? OneDnn);
