using Kindling.Training;

namespace Kindling.Tests.Cli;

/// <summary>
/// Where a run writes: an --out that cannot work is refused before training (exit 2), a finished run folder is
/// never silently replaced, and a checkpoint write that fails mid-run (a full disk) keeps the previous checkpoint
/// and says how to resume.
/// </summary>
[Collection("Console")]
public class RunOutputTests
{
    [Fact]
    public void OutThatIsAFileOrCannotBeWrittenIsAUsageError()
    {
        using var tmp = new TempDir();
        var recipe = TinyPictures.WriteQuietRun(tmp.Path, 1);
        var file = Path.Combine(tmp.Path, "notes.txt");
        File.WriteAllText(file, "keep me");
        var (code, _, error) = CliRunner.Kindling("train", "--config", recipe, "--out", file, "--plain");
        Assert.Equal(2, code);
        Assert.Contains($"--out {file} is a file, not a folder", error);
        Assert.Equal("keep me", File.ReadAllText(file));

        (code, _, error) = CliRunner.Kindling("train", "--config", recipe, "--out", "/sys/kindling-run", "--plain");
        Assert.Equal(2, code);
        Assert.Contains("cannot write to --out /sys/kindling-run", error);
    }

    [Fact]
    public void NonEmptyRunFolderIsRefusedUnlessOverwrite()
    {
        using var tmp = new TempDir();
        var recipe = TinyPictures.WriteQuietRun(tmp.Path, 1);
        var run = Path.Combine(tmp.Path, "run");
        Directory.CreateDirectory(Path.Combine(run, "checkpoints"));
        File.WriteAllText(Path.Combine(run, "checkpoints", "best.ckpt"), "an earlier run's model");
        File.WriteAllText(Path.Combine(run, "metrics.jsonl"), "{}\n");

        var (code, _, error) = CliRunner.Kindling("train", "--config", recipe, "--out", run, "--plain");
        Assert.Equal(2, code);
        Assert.Contains($"the run folder {run} is not empty", error);
        Assert.Contains($"kindling train --resume {run}", error);
        Assert.Contains("--overwrite", error);
        Assert.Equal("an earlier run's model", File.ReadAllText(Path.Combine(run, "checkpoints", "best.ckpt")));

        (code, var output, error) = CliRunner.Kindling("train", "--config", recipe, "--out", run, "--overwrite", "--plain", "--no-doctor");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Single(File.ReadAllLines(Path.Combine(run, "metrics.jsonl")));
        Assert.Contains("model", CheckpointFile.Read(Path.Combine(run, "checkpoints", "best.ckpt")).Keys);

        // A folder that is not a run is not cleared, even with --overwrite.
        var other = Path.Combine(tmp.Path, "other");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "thesis.tex"), "years of work");
        (code, _, error) = CliRunner.Kindling("train", "--config", recipe, "--out", other, "--overwrite", "--plain");
        Assert.Equal(2, code);
        Assert.Contains("clears only a Kindling run folder", error);
        Assert.True(File.Exists(Path.Combine(other, "thesis.tex")));
    }

    [Fact]
    public void DiskFullAfterTheFirstEpochKeepsItsCheckpointAndSaysHowToResume()
    {
        using var tmp = new TempDir();
        var recipe = TinyPictures.WriteQuietRun(tmp.Path, 3);
        var run = Path.Combine(tmp.Path, "run");
        var last = Path.Combine(run, "checkpoints", "last.ckpt");
        // Once epoch 1's last.ckpt exists, every checkpoint write fails part-way, as on a full disk.
        CheckpointFile.OpenTemporary.Value = temp =>
        {
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write);
            return File.Exists(last) ? new Kindling.Tests.Training.FullDisk(file, capacity: 100) : file;
        };
        (int Code, string Out, string Error) result;
        try
        {
            result = CliRunner.Kindling("train", "--config", recipe, "--out", run, "--plain", "--no-doctor");
        }
        finally
        {
            CheckpointFile.OpenTemporary.Value = null;
        }
        Assert.True(result.Code == 1, $"exit {result.Code}: {result.Error}\n{result.Out}");
        Assert.Contains("No space left on device", result.Error);
        Assert.Contains($"the last good checkpoint is kept ({last})", result.Error);
        Assert.Contains($"resume with: kindling train --resume {run}", result.Error);
        Assert.Contains("model", CheckpointFile.Read(last).Keys);
        Assert.Empty(Directory.GetFiles(Path.Combine(run, "checkpoints"), "*.tmp-*"));
    }

    [Fact]
    public void EvalJsonOfANaNModelWritesItsMetrics()
    {
        using var tmp = new TempDir();
        var recipe = TinyPictures.WriteQuietRun(tmp.Path, 1);
        var run = Path.Combine(tmp.Path, "run");
        var (code, output, error) = CliRunner.Kindling("train", "--config", recipe, "--out", run, "--plain", "--no-doctor");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        // A diverged model: every weight NaN.
        var checkpoint = Path.Combine(run, "checkpoints", "last.ckpt");
        var sections = CheckpointFile.Read(checkpoint);
        var state = NamedTensors.FromBytes(sections["model"]);
        foreach (var t in state.Values.Where(t => t.is_floating_point())) t.fill_(double.NaN);
        sections["model"] = NamedTensors.ToBytes(state.Select(kv => (kv.Key, kv.Value)));
        CheckpointFile.Write(checkpoint, sections);

        (code, output, error) = CliRunner.Kindling("eval", "--checkpoint", checkpoint, "--split", "train", "--json");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("NaN", json.RootElement.GetProperty("loss").GetString());
    }
}
