using Kindling.Runtime;

namespace Kindling.Bench.Commands;

/// <summary>Shared parsing and the machine line for the bench verbs.</summary>
static class BenchOptions
{
    public static bool ParseWorkers(string text, out int[] workers, out string error)
    {
        workers = Array.Empty<int>();
        error = "";
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var list = new List<int>();
        foreach (var p in parts)
        {
            if (!int.TryParse(p, out var w) || w < 0)
            {
                error = $"--workers takes comma-separated counts >= 0, e.g. 1,2; '{p}' is not one.";
                return false;
            }
            list.Add(w);
        }
        if (list.Count == 0)
        {
            error = "--workers needs at least one count, e.g. 1,2.";
            return false;
        }
        workers = list.ToArray();
        return true;
    }

    /// <summary>CPU model, cores, versions: printed with every benchmark so figures can be compared.</summary>
    public static object Machine()
    {
        var r = TorchRuntime.Report();
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return new { cpu, logical_cores = r.LogicalCores, intra_op_threads = r.IntraOpThreads, libtorch = r.LibTorchVersion, torchsharp = r.TorchSharpVersion, dotnet = r.Dotnet, date = DateTime.UtcNow.ToString("yyyy-MM-dd") };
    }
}
