using System.Diagnostics;

namespace Kindling.Runtime;

/// <summary>The git commit of the working folder and whether it has uncommitted changes (saved with each run, as the seeds wished).</summary>
public sealed record GitInfo(string Commit, bool Dirty)
{
    /// <summary>The current folder's commit, or null outside a git checkout or without git.</summary>
    public static GitInfo? Current(string? folder = null)
    {
        var commit = Run("rev-parse HEAD", folder);
        if (commit is null) return null;
        var status = Run("status --porcelain --untracked-files=no", folder);
        return new GitInfo(commit.Trim(), !string.IsNullOrWhiteSpace(status));
    }

    static string? Run(string args, string? folder)
    {
        try
        {
            var psi = new ProcessStartInfo("git", args)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = folder ?? Environment.CurrentDirectory,
            };
            using var p = Process.Start(psi);
            if (p is null) return null;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit(5000);
            return p.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine
        }
    }
}
