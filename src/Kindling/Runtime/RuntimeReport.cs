namespace Kindling.Runtime;

/// <summary>What `kindling info` prints: versions, threads and devices.</summary>
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
    string NativeLibrary);
