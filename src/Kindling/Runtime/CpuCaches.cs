using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Kindling.Runtime;

/// <summary>
/// Whether an x86 CPU hides its cache sizes from CPUID's cache-parameter leaf (leaf 4 on Intel, 0x8000001D on AMD and Hygon),
/// as some hypervisors do: the leaf answers, but with no cache (Linux then lists none either: no
/// /sys/devices/system/cpu/cpu0/cache). Where it did, oneDNN's wider convolution kernels went wrong (<see cref="OneDnnIsaCap"/>).
/// </summary>
internal static class CpuCaches
{
    /// <summary>CPUID: leaf and subleaf in, the four registers out.</summary>
    public delegate (int Eax, int Ebx, int Ecx, int Edx) CpuId(int leaf, int subleaf);

    /// <summary>This CPU: false off x86 (nothing to read, nothing known to go wrong).</summary>
    public static bool Hidden() => X86Base.IsSupported && Hidden((leaf, subleaf) => X86Base.CpuId(leaf, subleaf));

    /// <summary>Whether the CPU that <paramref name="cpuid"/> answers for has a cache-parameter leaf that lists no cache.</summary>
    public static bool Hidden(CpuId cpuid)
    {
        var (maxLeaf, b, c, d) = cpuid(0, 0);
        var vendor = Encoding.ASCII.GetString([.. BitConverter.GetBytes(b), .. BitConverter.GetBytes(d), .. BitConverter.GetBytes(c)]);
        switch (vendor)
        {
            case "GenuineIntel":
                return maxLeaf >= 4 && NoCache(cpuid(4, 0).Eax);
            case "AuthenticAMD" or "HygonGenuine":
                // The leaf exists from the extended maximum on; a VM can answer it empty and clear the topology-extensions bit
                // (seen: a Zen 5 EPYC guest whose legacy leaves 0x80000005/6 still describe L1 and L2).
                uint maxExtended = (uint)cpuid(unchecked((int)0x80000000), 0).Eax;
                return maxExtended >= 0x8000001D && NoCache(cpuid(unchecked((int)0x8000001D), 0).Eax);
            default:
                return false;
        }
    }

    // EAX bits 4:0 of the first subleaf: the cache type, 0 meaning "no more caches" (here: none at all).
    static bool NoCache(int eax) => (eax & 0x1F) == 0;
}
