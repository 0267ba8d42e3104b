namespace Kindling.Bench;

/// <summary>Resident memory of this process from /proc (what `ps` and PyTorch's ru_maxrss report), in MiB.</summary>
public static class ProcessMemory
{
    /// <summary>Peak resident set (VmHWM); the current working set where /proc is absent.</summary>
    public static double PeakRssMiB() => Field("VmHWM:") ?? Environment.WorkingSet / 1048576.0;

    /// <summary>Current resident set (VmRSS).</summary>
    public static double RssMiB() => Field("VmRSS:") ?? Environment.WorkingSet / 1048576.0;

    static double? Field(string name)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
        if (line is null) return null;
        var kb = line[name.Length..].Trim().Split(' ')[0];
        return long.TryParse(kb, out var v) ? v / 1024.0 : null;
    }
}
