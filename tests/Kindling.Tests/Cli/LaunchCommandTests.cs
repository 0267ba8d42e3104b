using Kindling.Distributed;

namespace Kindling.Tests.Cli;

/// <summary>`kindling launch -n N -- COMMAND`: the mpirun command it builds, and what it refuses.</summary>
[Collection("Console")]
public class LaunchCommandTests
{
    [Fact]
    public void TheDryRunPrintsMpirunWithThisMachinesFlagsAndTheCommandAfterTheDashes()
    {
        var (code, output, error) = CliRunner.Kindling("launch", "-n", "3", "--tcp", "--dry-run", "--", "train", "--config", "a b.yaml");
        Assert.True(code == 0, error);
        Assert.StartsWith("mpirun -np 3 ", output);
        Assert.Contains("--mca btl tcp,self", output);
        // This machine has fewer cores than 3 ranks only sometimes; the flag follows the core count.
        Assert.Equal(Environment.ProcessorCount < 3, output.Contains("--oversubscribe"));
        Assert.Equal(Environment.UserName == "root", output.Contains("--allow-run-as-root"));
        Assert.EndsWith("train --config 'a b.yaml'", output.Trim());
    }

    [Fact]
    public void NothingAfterTheDashesAndAMissingHostfileAreRefusedWithTheFix()
    {
        var (code, _, error) = CliRunner.Kindling("launch", "-n", "2");
        Assert.Equal(2, code);
        Assert.Contains("put the kindling command after --", error);
        Assert.Throws<FileNotFoundException>(() => MpiLauncher.Arguments(2, ["x"], hostfile: "/nonexistent/hosts"));
        var args = MpiLauncher.Arguments(4, ["prog"], hostfile: Path.Combine(AppContext.BaseDirectory, "Kindling.Cli.dll"), asRoot: false);
        // A hostfile's slots decide the placement: no --oversubscribe then, and no root flag for a user.
        Assert.Equal(["-np", "4", "--hostfile", Path.Combine(AppContext.BaseDirectory, "Kindling.Cli.dll"), "prog"], args);
    }
}
