using System.Text.Json;

namespace Kindling.Tests.Cli;

/// <summary>`kindling distill` end to end on a tiny picture folder: a teacher trained by `kindling train`, a smaller student distilled from it into a full run folder.</summary>
[Collection("Console")]
public class DistillCommandTests
{
    static string Recipe(string dir, string name, string pictures, double width, int epochs, string extra = "")
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, $"""
            data:
              spec: imagefolder:{pictures}
              validation:
                holdout: 12
              batch_size: 8
              num_workers: 0
            transforms:
              train: []
              eval: []
            model:
              name: fastnet
              width_multiplier: {width}
            optimizer:
              name: adamw
              lr: 0.01
            training:
              epochs: {epochs}
              device: cpu
            {extra}
            """);
        return path;
    }

    [Fact]
    public void DistillTrainsAStudentFromATeacherCheckpointAndRefusesAMismatchedOne()
    {
        using var tmp = new TempDir();
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 16);
        var teacherRun = Path.Combine(tmp.Path, "teacher");
        var (code, output, error) = CliRunner.Kindling("train", "--config", Recipe(tmp.Path, "teacher.yaml", pictures, 0.25, 2), "--out", teacherRun, "--plain");
        Assert.True(code == 0, $"teacher: exit {code}: {error}\n{output}");
        var teacher = Path.Combine(teacherRun, "checkpoints", "best.ckpt");

        var student = Recipe(tmp.Path, "student.yaml", pictures, 0.125, 2);
        var run = Path.Combine(tmp.Path, "student");
        (code, output, error) = CliRunner.Kindling("distill", "--teacher", teacher, "--config", student, "--alpha", "0.7", "--temperature", "2", "--out", run, "--plain");
        Assert.True(code == 0, $"distill: exit {code}: {error}\n{output}");
        Assert.Contains("teacher: " + Path.GetFullPath(teacher), error);
        Assert.Contains("alpha 0.7, temperature 2", error);
        Assert.Contains("epoch 2/2", output);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        var config = File.ReadAllText(Path.Combine(run, "config.yaml"));
        Assert.Contains($"teacher: {Path.GetFullPath(teacher)}", config);
        Assert.Contains("alpha: 0.7", config);
        Assert.Contains("temperature: 2", config);
        Assert.Contains("width_multiplier: 0.125", config);

        // The student's checkpoint is an ordinary one: eval reads it without the teacher.
        var (evalCode, evalOut, evalError) = CliRunner.Kindling("eval", "--checkpoint", Path.Combine(run, "checkpoints", "last.ckpt"), "--split", "train", "--json");
        Assert.True(evalCode == 0, evalError);
        using (var metrics = JsonDocument.Parse(evalOut)) Assert.Equal(48, metrics.RootElement.GetProperty("samples").GetInt32());

        // A student whose data has two of the teacher's three classes.
        var two = Path.Combine(tmp.Path, "two");
        TinyPictures.Write(two, 8);
        Directory.Delete(Path.Combine(two, "blue"), recursive: true);
        var mismatched = Path.Combine(tmp.Path, "mismatched");
        (code, _, error) = CliRunner.Kindling("distill", "--teacher", teacher, "--config", Recipe(tmp.Path, "two.yaml", two, 0.125, 1), "--out", mismatched, "--plain");
        Assert.Equal(1, code);
        Assert.Contains("predicts 3 classes but the student's data has 2", error);
        Assert.False(File.Exists(Path.Combine(mismatched, "metrics.jsonl")));
    }

    [Fact]
    public void DistillWithoutAUsableTeacherSaysWhatIsMissing()
    {
        using var tmp = new TempDir();
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 4);
        var (code, _, error) = CliRunner.Kindling("distill", "--config", Recipe(tmp.Path, "s.yaml", pictures, 0.125, 1), "--out", Path.Combine(tmp.Path, "a"));
        Assert.Equal(1, code);
        Assert.Contains("needs a teacher: --teacher CHECKPOINT", error);

        var missing = Path.Combine(tmp.Path, "nowhere.ckpt");
        (code, _, error) = CliRunner.Kindling("distill", "--teacher", missing, "--config", Recipe(tmp.Path, "s.yaml", pictures, 0.125, 1), "--out", Path.Combine(tmp.Path, "b"));
        Assert.Equal(2, code);
        Assert.Contains($"distillation.teacher: '{missing}' does not exist", error);

        var bad = Recipe(tmp.Path, "bad.yaml", pictures, 0.125, 1, "distillation:\n  teacher: t.ckpt\n  alpha: 1.5\n  temperature: 0\n");
        (code, _, error) = CliRunner.Kindling("train", "--config", bad, "--out", Path.Combine(tmp.Path, "c"));
        Assert.True(code == 2, error);
        Assert.Contains("distillation.alpha: 1.5 is out of range", error);
        Assert.Contains("distillation.temperature: 0 is out of range", error);
    }
}
