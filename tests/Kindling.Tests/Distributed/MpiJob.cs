using System.Diagnostics;
using System.Globalization;

namespace Kindling.Tests.Distributed;

/// <summary>
/// Runs the kindling CLI (or the bench program) from the test's output folder as a child process: alone (<c>ranks</c> 0)
/// or as <c>mpirun -np N</c> ranks on this machine, the way a user launches a data-parallel job.
/// </summary>
sealed class MpiJob : IDisposable
{
    readonly Process process;
    readonly Task<string> output, error;

    MpiJob(Process process)
    {
        this.process = process;
        output = process.StandardOutput.ReadToEndAsync();
        error = process.StandardError.ReadToEndAsync();
    }

    public static MpiJob Start(int ranks, string program, params string[] args) => Start(ranks, program, null, args);

    /// <param name="ranks">0: one plain process; N: mpirun -np N.</param>
    /// <param name="program">Kindling.Cli or Kindling.Bench.</param>
    /// <param name="mpirunOptions">Extra mpirun options before the program (e.g. --mca btl tcp,self).</param>
    /// <param name="args">The program's arguments.</param>
    public static MpiJob Start(int ranks, string program, string[]? mpirunOptions, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, program + ".dll");
        var psi = new ProcessStartInfo(ranks == 0 ? "dotnet" : "mpirun") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (ranks > 0)
        {
            // As root mpirun refuses to start without --allow-run-as-root; more ranks than cores need --oversubscribe.
            foreach (var a in new[] { "-np", ranks.ToString(CultureInfo.InvariantCulture), "--allow-run-as-root", "--oversubscribe" }) psi.ArgumentList.Add(a);
            foreach (var a in mpirunOptions ?? []) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add("dotnet");
        }
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["CI"] = "true";
        psi.Environment["TERM"] = "dumb";
        var job = new MpiJob(Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}"));
        return job;
    }

    /// <summary>Starts an MPMD job: one rank per argument list (mpirun -np 1 A : -np 1 B), to give ranks different commands.</summary>
    public static MpiJob StartPerRank(string program, params string[][] perRank)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, program + ".dll");
        var psi = new ProcessStartInfo("mpirun") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--allow-run-as-root");
        psi.ArgumentList.Add("--oversubscribe");
        for (int r = 0; r < perRank.Length; r++)
        {
            if (r > 0) psi.ArgumentList.Add(":");
            foreach (var a in new[] { "-np", "1", "dotnet", dll }.Concat(perRank[r])) psi.ArgumentList.Add(a);
        }
        psi.Environment["CI"] = "true";
        psi.Environment["TERM"] = "dumb";
        return new MpiJob(Process.Start(psi)!);
    }

    public bool HasExited => process.HasExited;

    /// <summary>Waits for the job; fails the test (after killing it) when it takes longer than <paramref name="limit"/>.</summary>
    public (int Code, string Out, string Error) Wait(TimeSpan limit)
    {
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{process.StartInfo.FileName} {string.Join(' ', process.StartInfo.ArgumentList)} did not end within {limit.TotalSeconds:0} s: it hangs.");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Runs to the end (at most <paramref name="minutes"/>) and requires exit code 0.</summary>
    public static (string Out, string Error) Run(int ranks, string program, params string[] args)
    {
        using var job = Start(ranks, program, args);
        var (code, stdout, stderr) = job.Wait(TimeSpan.FromMinutes(4));
        Assert.True(code == 0, $"{(ranks == 0 ? "" : $"mpirun -np {ranks} ")}{program} {string.Join(' ', args)}: exit {code}\n{stderr}\n{stdout}");
        return (stdout, stderr);
    }

    /// <summary>The process id of rank <paramref name="rank"/> of this job (its environment names the rank), or null when it is not running yet.</summary>
    public int? RankProcess(int rank)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string environment;
            try { environment = File.ReadAllText(Path.Combine(dir, "environ")); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            var vars = environment.Split('\0');
            if (vars.Contains($"OMPI_COMM_WORLD_RANK={rank}") && IsOurs(pid)) return pid;
        }
        return null;
    }

    // The rank's parent chain leads to our mpirun (mpirun starts local ranks itself).
    bool IsOurs(int pid)
    {
        for (int i = 0; i < 4 && pid > 1; i++)
        {
            if (pid == process.Id) return true;
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            pid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        return false;
    }

    /// <summary>Sends <paramref name="signal"/> (KILL, STOP, ...) to <paramref name="pid"/>.</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
