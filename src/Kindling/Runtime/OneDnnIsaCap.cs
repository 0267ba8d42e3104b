using System.Runtime.InteropServices;

namespace Kindling.Runtime;

/// <summary>
/// Caps the instruction set oneDNN (libtorch's CPU convolutions) may use, on CPUs that hide their cache sizes
/// (<see cref="CpuCaches"/>): there libtorch 2.10's oneDNN (3.7.1) was measured to compute wrong convolution gradients with
/// its AVX2 and AVX-512 kernels and to die of SIGFPE, and at AVX it did neither (the measurements, the cost and the
/// alternatives tried: docs/ARCHITECTURE.md, "Native loading").
/// </summary>
/// <remarks>
/// oneDNN reads <c>ONEDNN_MAX_CPU_ISA</c> once, when it first needs its instruction set: the cap is set through the C
/// library's environment (.NET's own does not reach native code) before libtorch runs anything, by
/// <see cref="TorchRuntime.EnsureLoaded"/>. <c>KINDLING_ONEDNN=native</c> leaves oneDNN alone; an
/// <c>ONEDNN_MAX_CPU_ISA</c> (or <c>DNNL_MAX_CPU_ISA</c>) the user set is kept.
/// </remarks>
public static class OneDnnIsaCap
{
    /// <summary>The switch: <c>auto</c> (the default: cap where the caches are hidden) or <c>native</c> (never cap).</summary>
    public const string Switch = "KINDLING_ONEDNN";

    /// <summary>The cap: the widest instruction set whose oneDNN kernels were measured correct on such a CPU.</summary>
    public const string Isa = "AVX";

    static readonly object Gate = new();
    static bool applied;

    /// <summary>What was decided, for people (null: oneDNN runs as it would, on a CPU that shows its caches).</summary>
    public static string? Notice { get; private set; }

    /// <summary>The instruction set Kindling capped oneDNN at in this process (null: it set none).</summary>
    public static string? Cap { get; private set; }

    /// <summary>Decides once per process and sets the cap when due. Call before libtorch runs any operation.</summary>
    public static void Apply()
    {
        lock (Gate)
        {
            if (applied) return;
            applied = true;
            var (cap, notice) = Decide(CpuCaches.Hidden(), Environment.GetEnvironmentVariable);
            if (cap is not null && OperatingSystem.IsLinux() && SetEnv("ONEDNN_MAX_CPU_ISA", cap, 1) != 0)
                (cap, notice) = (null, $"oneDNN could not be capped (setenv failed): this CPU hides its cache sizes, and oneDNN's convolution gradients may be wrong; set ONEDNN_MAX_CPU_ISA={cap} before starting.");
            Cap = OperatingSystem.IsLinux() ? cap : null;
            Notice = notice;
        }
    }

    /// <summary>The cap to set (null: none) and the notice, from whether the caches are hidden and the environment.</summary>
    internal static (string? Cap, string? Notice) Decide(bool cachesHidden, Func<string, string?> environment)
    {
        var choice = environment(Switch)?.Trim();
        bool native = string.Equals(choice, "native", StringComparison.OrdinalIgnoreCase);
        var unknown = choice is { Length: > 0 } && !native && !string.Equals(choice, "auto", StringComparison.OrdinalIgnoreCase)
            ? $" ({Switch}={choice} is not known: expected auto or native; auto used)" : "";
        if (!cachesHidden) return (null, unknown.Length > 0 ? $"oneDNN: not capped{unknown}." : null);
        var user = environment("ONEDNN_MAX_CPU_ISA") is { Length: > 0 } o ? $"ONEDNN_MAX_CPU_ISA={o}"
            : environment("DNNL_MAX_CPU_ISA") is { Length: > 0 } dn ? $"DNNL_MAX_CPU_ISA={dn}" : null;
        if (user is not null) return (null, $"oneDNN: this CPU hides its cache sizes; the instruction set is yours ({user}){unknown}.");
        if (native)
            return (null, $"oneDNN: not capped ({Switch}=native), though this CPU hides its cache sizes: its convolution gradients may be wrong here.");
        return (Isa, $"oneDNN capped at {Isa}: this CPU hides its cache sizes from CPUID (a VM?), where libtorch's oneDNN was seen to compute " +
                     $"wrong convolution gradients with its wider kernels; convolutions are slower ({Switch}=native lifts the cap){unknown}.");
    }

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetEnv(string name, string value, int overwrite);
}
