using System.Diagnostics;
using Kindling.Training;

namespace Kindling.Tests.Cli;

/// <summary>
/// SIGTERM (what Slurm, Kubernetes and `docker stop` send) stops `kindling train` as Ctrl-C does: the step
/// finishes, last.ckpt is written, the resume command is printed and the exit code is Ctrl-C's (130).
/// </summary>
public class SigtermTests
{
    [Fact]
    public void SigtermSavesTheLastCheckpointAndPrintsTheResumeCommand()
    {
        using var tmp = new TempDir();
        // Far more epochs than the test waits for: only the signal ends this run.
        var recipe = TinyPictures.WriteQuietRun(tmp.Path, epochs: 5000);
        var run = Path.Combine(tmp.Path, "run");
        var last = Path.Combine(run, "checkpoints", "last.ckpt");

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Kindling.Cli.dll"), "train", "--config", recipe, "--out", run, "--plain", "--no-doctor" })
            psi.ArgumentList.Add(a);
        psi.Environment["CI"] = "true";
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        var watch = Stopwatch.StartNew();
        while (!File.Exists(last) && !p.HasExited && watch.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(10);
        // (The message is built only on failure: error.Result waits for the process to end.)
        if (p.HasExited) Assert.Fail($"the run ended before the signal: {error.Result}");
        var written = File.GetLastWriteTimeUtc(last);
        var killer = new ProcessStartInfo("kill") { RedirectStandardError = true, UseShellExecute = false };
        killer.ArgumentList.Add("-TERM");
        killer.ArgumentList.Add(p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using (var kill = Process.Start(killer)!)
        {
            var why = kill.StandardError.ReadToEnd();
            kill.WaitForExit();
            Assert.True(kill.ExitCode == 0, $"kill -TERM {p.Id}: exit {kill.ExitCode}: {why}");
        }
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("kindling train did not stop within 2 minutes of SIGTERM");
        }

        Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}: {error.Result}");
        Assert.Contains("SIGTERM: finishing the current step and writing the last checkpoint", error.Result);
        Assert.Contains($"Resume with: kindling train --resume {run}", error.Result);
        // Written again on the way out (the signal came after epoch 1's).
        Assert.True(File.GetLastWriteTimeUtc(last) > written);
        Assert.Contains("model", CheckpointFile.Read(last).Keys);
    }
}
