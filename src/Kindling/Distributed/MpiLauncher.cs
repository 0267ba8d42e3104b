using System.Globalization;

namespace Kindling.Distributed;

/// <summary>
/// The mpirun command that starts a program as N ranks (what <c>kindling launch</c> runs): Open MPI's flags a user would
/// otherwise have to know. As root mpirun refuses to start without <c>--allow-run-as-root</c>; more ranks than this
/// machine's cores need <c>--oversubscribe</c> (with a hostfile the hostfile's slots decide); <c>--mca btl tcp,self</c>
/// forces TCP, as between machines.
/// </summary>
public static class MpiLauncher
{
    /// <summary>mpirun's arguments for <paramref name="ranks"/> ranks of <paramref name="program"/> (its executable and arguments).</summary>
    /// <param name="ranks">Processes to start (mpirun -np).</param>
    /// <param name="program">The command each rank runs: executable first.</param>
    /// <param name="hostfile">Open MPI hostfile (one "host slots=N" line per machine); null: this machine only.</param>
    /// <param name="tcp">Force the TCP transport (--mca btl tcp,self) instead of shared memory.</param>
    /// <param name="asRoot">Whether we run as root (null: ask the system).</param>
    public static IReadOnlyList<string> Arguments(int ranks, IReadOnlyList<string> program, string? hostfile = null, bool tcp = false, bool? asRoot = null)
    {
        if (ranks < 1) throw new ArgumentOutOfRangeException(nameof(ranks), ranks, "the number of ranks (-n) must be at least 1.");
        if (program.Count == 0) throw new ArgumentException("no program to launch.", nameof(program));
        if (hostfile is not null && !File.Exists(hostfile))
            throw new FileNotFoundException($"hostfile '{hostfile}' does not exist; it lists one machine a line, e.g. \"node1 slots=8\".", hostfile);
        var args = new List<string> { "-np", ranks.ToString(CultureInfo.InvariantCulture) };
        if (asRoot ?? Environment.UserName == "root") args.Add("--allow-run-as-root");
        if (hostfile is not null) args.AddRange(["--hostfile", hostfile]);
        else if (ranks > Environment.ProcessorCount) args.Add("--oversubscribe");
        if (tcp) args.AddRange(["--mca", "btl", "tcp,self"]);
        args.AddRange(program);
        return args;
    }

    /// <summary>The command line that starts this very program again (the dotnet host and the entry assembly, or the app host).</summary>
    public static IReadOnlyList<string> ThisProgram()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown.");
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" && !string.IsNullOrEmpty(entry) ? [host, entry] : [host];
    }
}
