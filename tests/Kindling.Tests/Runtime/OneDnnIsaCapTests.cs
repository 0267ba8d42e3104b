using System.Text;
using Kindling.Runtime;

namespace Kindling.Tests.Runtime;

/// <summary>
/// When oneDNN gets capped: CPUs whose cache-parameter leaf lists no cache (a VM seen in session 11, where oneDNN's wider
/// kernels computed wrong convolution gradients), read from CPUID answers given here, and the user's switches.
/// </summary>
public class OneDnnIsaCapTests
{
    /// <summary>A CPU of <paramref name="vendor"/> answering CPUID from <paramref name="leaves"/> (missing leaves: zeros).</summary>
    static CpuCaches.CpuId Cpu(string vendor, int maxLeaf, uint maxExtended, Dictionary<(uint Leaf, int Subleaf), int> eax)
    {
        var v = Encoding.ASCII.GetBytes(vendor);
        int Word(int at) => BitConverter.ToInt32(v, at);
        return (leaf, subleaf) => (uint)leaf switch
        {
            0 => (maxLeaf, Word(0), Word(8), Word(4)), // the vendor reads EBX, EDX, ECX
            0x80000000 => ((int)maxExtended, 0, 0, 0),
            var l => (eax.GetValueOrDefault((l, subleaf)), 0, 0, 0),
        };
    }

    const int DataCache = 1, UnifiedCache = 3; // CPUID's cache types (EAX bits 4:0)

    [Fact]
    public void AnAmdCpuWhoseCacheLeafIsEmptyHidesItsCachesAndOneThatListsThemDoesNot()
    {
        // The VM: leaf 0x8000001D exists (extended maximum 0x80000021) and answers zeros.
        Assert.True(CpuCaches.Hidden(Cpu("AuthenticAMD", 13, 0x80000021, new())));
        Assert.False(CpuCaches.Hidden(Cpu("AuthenticAMD", 13, 0x80000021, new() { [(0x8000001D, 0)] = 0x121 | DataCache })));
        Assert.True(CpuCaches.Hidden(Cpu("HygonGenuine", 13, 0x80000021, new())));
        // A CPU from before the leaf: nothing to read, nothing known to go wrong.
        Assert.False(CpuCaches.Hidden(Cpu("AuthenticAMD", 13, 0x8000001A, new())));
    }

    [Fact]
    public void AnIntelCpuIsReadFromLeafFourAndOtherVendorsAreLeftAlone()
    {
        Assert.False(CpuCaches.Hidden(Cpu("GenuineIntel", 0x20, 0x80000008, new() { [(4, 0)] = 0x121 | UnifiedCache })));
        Assert.True(CpuCaches.Hidden(Cpu("GenuineIntel", 0x20, 0x80000008, new())));
        Assert.False(CpuCaches.Hidden(Cpu("GenuineIntel", 2, 0x80000008, new())));
        Assert.False(CpuCaches.Hidden(Cpu("CentaurHauls", 0x20, 0x80000008, new())));
    }

    static Func<string, string?> Env(params (string Name, string Value)[] set) => name => set.FirstOrDefault(s => s.Name == name).Value;

    [Fact]
    public void HiddenCachesCapOneDnnAtAvxUnlessTheUserDecided()
    {
        var (cap, notice) = OneDnnIsaCap.Decide(cachesHidden: true, Env());
        Assert.Equal("AVX", cap);
        Assert.Contains("oneDNN capped at AVX", notice);
        Assert.Contains("KINDLING_ONEDNN=native lifts the cap", notice);

        (cap, notice) = OneDnnIsaCap.Decide(true, Env(("KINDLING_ONEDNN", "native")));
        Assert.Null(cap);
        Assert.Contains("may be wrong", notice);

        (cap, notice) = OneDnnIsaCap.Decide(true, Env(("ONEDNN_MAX_CPU_ISA", "AVX2")));
        Assert.Null(cap);
        Assert.Contains("ONEDNN_MAX_CPU_ISA=AVX2", notice);
        (cap, _) = OneDnnIsaCap.Decide(true, Env(("DNNL_MAX_CPU_ISA", "SSE41")));
        Assert.Null(cap);
    }

    [Fact]
    public void VisibleCachesLeaveOneDnnAloneAndAnUnknownSwitchIsNamed()
    {
        Assert.Equal((null, null), OneDnnIsaCap.Decide(cachesHidden: false, Env()));
        Assert.Equal((null, null), OneDnnIsaCap.Decide(false, Env(("KINDLING_ONEDNN", "auto"))));
        var (cap, notice) = OneDnnIsaCap.Decide(true, Env(("KINDLING_ONEDNN", "off")));
        Assert.Equal("AVX", cap);
        Assert.Contains("KINDLING_ONEDNN=off is not known: expected auto or native; auto used", notice);
        (cap, notice) = OneDnnIsaCap.Decide(false, Env(("KINDLING_ONEDNN", "nativ")));
        Assert.Null(cap);
        Assert.Contains("KINDLING_ONEDNN=nativ is not known", notice);
    }
}
