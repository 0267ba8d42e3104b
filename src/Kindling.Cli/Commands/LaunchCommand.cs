using System.ComponentModel;
using System.Diagnostics;
using Kindling.Distributed;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling launch -n N [--hostfile F] [--tcp] -- train ...`: runs the kindling command after `--` as N data-parallel ranks
/// through Open MPI's mpirun, adding the flags this machine needs; `--dry-run` prints the mpirun command instead.
/// </summary>
sealed class LaunchCommand : Command<LaunchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-n|--ranks <N>")]
        [Description("Processes (ranks) to train with; data.batch_size is split among them.")]
        public int Ranks { get; init; }

        [CommandOption("--hostfile <FILE>")]
        [Description("Open MPI hostfile, one \"host slots=N\" line per machine (each needs Kindling, the recipe and the data at the same paths).")]
        public string? Hostfile { get; init; }

        [CommandOption("--tcp")]
        [Description("Force TCP (--mca btl tcp,self) instead of shared memory, e.g. to measure a network's cost on one machine.")]
        public bool Tcp { get; init; }

        [CommandOption("--dry-run")]
        [Description("Print the mpirun command and exit.")]
        public bool DryRun { get; init; }

        public override ValidationResult Validate() =>
            Ranks < 1 ? ValidationResult.Error($"-n must be at least 1 (got {Ranks}): the number of ranks, e.g. kindling launch -n 2 -- train --config FILE.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var command = context.Remaining.Raw;
        if (command.Count == 0)
            throw new UsageException("error: nothing to launch: put the kindling command after --, e.g. kindling launch -n 2 -- train --config configs/fashion-mnist-fast.yaml");
        if (command[0] == "launch") throw new UsageException("error: launch cannot launch itself.");
        if (DistributedLaunch.UnderLauncher) throw new UsageException("error: this process is already a rank of an mpirun job: run `kindling launch` directly, not under mpirun.");
        var args = MpiLauncher.Arguments(settings.Ranks, [.. MpiLauncher.ThisProgram(), .. command], settings.Hostfile, settings.Tcp);
        if (settings.DryRun)
        {
            Console.WriteLine("mpirun " + string.Join(' ', args.Select(Quote)));
            return 0;
        }
        var psi = new ProcessStartInfo("mpirun") { UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine("error: mpirun was not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev; scripts/setup.sh does).");
            return CliErrors.Failure;
        }
        using (process)
        {
            process.WaitForExit();
            return process.ExitCode;
        }
    }

    static string Quote(string s) => s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./=:,+@".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
