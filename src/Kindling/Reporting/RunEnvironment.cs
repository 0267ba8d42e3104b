using System.Reflection;
using System.Runtime.InteropServices;
using Kindling.Runtime;

namespace Kindling.Reporting;

/// <summary>
/// Where and with what a run ran (environment.json): versions, machine, threads, device and the git
/// commit, so a result can be traced back to the code that produced it. <see cref="OneDnnCap"/> says whether
/// Kindling capped oneDNN's instruction set (<see cref="OneDnnIsaCap"/>): a capped run's convolutions are slower and
/// round differently, so its times and numbers are not those of the same run uncapped.
/// </summary>
public sealed record RunEnvironment(
    string KindlingVersion,
    string TorchSharpVersion,
    string LibTorchVersion,
    string Dotnet,
    string Os,
    string CpuModel,
    int LogicalCores,
    int IntraOpThreads,
    int InterOpThreads,
    string Device,
    string? GitCommit,
    bool? GitDirty,
    string CommandLine,
    DateTimeOffset StartTime,
    string? OneDnnCap = null)
{
    /// <summary>Captures this process's environment now.</summary>
    /// <param name="device">The device the run trains on (as resolved, e.g. "cpu" or "cuda:0").</param>
    /// <param name="commandLine">The command as typed; defaults to this process's command line.</param>
    /// <param name="gitFolder">Where to look for the git checkout; defaults to the current folder.</param>
    public static RunEnvironment Capture(string device, string? commandLine = null, string? gitFolder = null)
    {
        var runtime = TorchRuntime.Report();
        var git = GitInfo.Current(gitFolder);
        return new RunEnvironment(
            KindlingVersion: Version(typeof(RunEnvironment).Assembly),
            TorchSharpVersion: runtime.TorchSharpVersion,
            LibTorchVersion: runtime.LibTorchVersion,
            Dotnet: runtime.Dotnet,
            Os: runtime.Os,
            CpuModel: CpuModelName(),
            LogicalCores: runtime.LogicalCores,
            IntraOpThreads: runtime.IntraOpThreads,
            InterOpThreads: runtime.InterOpThreads,
            Device: device,
            GitCommit: git?.Commit,
            GitDirty: git?.Dirty,
            CommandLine: commandLine ?? Environment.CommandLine,
            StartTime: DateTimeOffset.Now,
            OneDnnCap: OneDnnIsaCap.Cap);
    }

    /// <summary>One line for people: "Kindling 1.0.0 (abc1234, dirty), TorchSharp 0.107.0, libtorch 2.10.0, .NET 10.0.0, cpu, 2 threads, CPU model (oneDNN capped at AVX), OS".</summary>
    public string Summary()
    {
        var commit = GitCommit is null ? "no git" : GitCommit[..Math.Min(7, GitCommit.Length)] + (GitDirty == true ? ", dirty" : "");
        return $"Kindling {KindlingVersion} ({commit}), TorchSharp {TorchSharpVersion}, libtorch {LibTorchVersion}, .NET {Dotnet}, " +
               $"{Device}, {IntraOpThreads} threads on {LogicalCores} cores, {CpuModel}{(OneDnnCap is null ? "" : $" (oneDNN capped at {OneDnnCap})")}, {Os}";
    }

    static string Version(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        // The SDK appends "+<commit>"; the commit is recorded on its own.
        return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString(3) ?? "?";
    }

    static string CpuModelName()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                        return line[(colon + 1)..].Trim();
        }
        catch (IOException)
        {
            // An unreadable /proc is no reason to fail a run: fall through to the architecture.
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
