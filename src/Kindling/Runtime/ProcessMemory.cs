using System.Globalization;
using System.Runtime.InteropServices;

namespace Kindling.Runtime;

/// <summary>
/// The process's resident memory from Linux's /proc: current (VmRSS), the high-water mark (VmHWM), which
/// writing 5 to /proc/self/clear_refs resets to the current value, and the machine's available memory.
/// libtorch's CPU allocator keeps no statistics, so the high-water mark is how a CPU step's peak is seen (the
/// batch-size finder's memory probe, the benchmarks' peak RSS).
/// </summary>
public static class ProcessMemory
{
    /// <summary>Whether /proc/self/status can be read (Linux).</summary>
    public static bool Supported => File.Exists("/proc/self/status");

    /// <summary>Resident bytes now.</summary>
    public static long Current() => StatusBytes("VmRSS:");

    /// <summary>The highest resident bytes since the process started or the last <see cref="ResetPeak"/>.</summary>
    public static long Peak() => StatusBytes("VmHWM:");

    /// <summary>
    /// The high-water mark in MiB, what <c>ps</c> and PyTorch's <c>ru_maxrss</c> report (the benchmarks compare the two);
    /// the current working set where /proc is absent.
    /// </summary>
    public static double PeakMiB() => (Supported ? Peak() : Environment.WorkingSet) / 1048576.0;

    /// <summary>Resets the high-water mark to the current resident size; false where the kernel does not allow it (then the peak only grows).</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Collects .NET garbage and hands the C allocator's free memory back to the system (glibc's malloc_trim), so the
    /// resident size is live memory: without it, memory freed by an earlier, smaller step stays resident and hides
    /// part of the next step's need.
    /// </summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        try { malloc_trim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int malloc_trim(nuint pad);

    /// <summary>Memory the machine can give without swapping (MemAvailable), or what .NET sees as available elsewhere.</summary>
    public static long Available()
    {
        if (File.Exists("/proc/meminfo"))
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)) return Kilobytes(line) * 1024;
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    static long StatusBytes(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal)) return Kilobytes(line) * 1024;
        throw new NotSupportedException($"/proc/self/status has no {key} line.");
    }

    static long Kilobytes(string line) =>
        long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
}
