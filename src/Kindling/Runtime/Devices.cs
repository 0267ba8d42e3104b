using TorchSharp;

namespace Kindling.Runtime;

/// <summary>Device selection by name: "auto" (CUDA when present, else CPU), "cpu", "cuda", "cuda:N".</summary>
public static class Devices
{
    public static torch.Device Resolve(string name)
    {
        TorchRuntime.EnsureLoaded();
        var n = name.Trim().ToLowerInvariant();
        if (n == "auto") return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        if (n == "cpu") return torch.CPU;
        if (n == "cuda" || n.StartsWith("cuda:"))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException($"device '{name}' was asked for but CUDA is not available in this build/machine " +
                                            "(build with -p:KindlingTorch=cuda on a machine with an NVIDIA driver, or use 'cpu' / 'auto').");
            return new torch.Device(n);
        }
        throw new ArgumentException($"unknown device '{name}': expected auto, cpu, cuda or cuda:N.");
    }
}
