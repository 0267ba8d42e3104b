using System.Text.Json;
using System.Text.Json.Nodes;
using Kindling.Reporting;
using Kindling.Runtime;
using Kindling.Training;

namespace Kindling.Tests.Reporting;

[Collection("GlobalGenerator")]
public class RunFolderTests(TinyRun run) : IClassFixture<TinyRun>
{
    [Fact]
    public void LayoutHasEveryPartOfTheContract()
    {
        var f = run.Folder;
        foreach (var dir in new[] { f.CheckpointsDir, f.PlotsDir, f.TensorBoardDir }) Assert.True(Directory.Exists(dir), dir);
        foreach (var file in new[] { f.ConfigPath, f.EnvironmentPath, f.MetricsPath, f.SummaryPath, f.ReportPath, f.BestCheckpoint, f.LastCheckpoint })
            Assert.True(File.Exists(file), file);
        Assert.Equal(TinyRun.Config, File.ReadAllText(f.ConfigPath));
        Assert.Empty(Directory.GetFiles(f.Root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void EnvironmentRecordsVersionsMachineAndCommand()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(run.Folder.EnvironmentPath));
        var root = doc.RootElement;
        foreach (var key in new[] { "kindling_version", "torch_sharp_version", "lib_torch_version", "dotnet", "os", "cpu_model", "device", "command_line", "start_time" })
            Assert.False(string.IsNullOrWhiteSpace(root.GetProperty(key).ToString()), key);
        Assert.True(root.GetProperty("logical_cores").GetInt32() >= 1);
        Assert.True(root.GetProperty("intra_op_threads").GetInt32() >= 1);
        Assert.Equal("kindling train --config tiny.yaml", root.GetProperty("command_line").GetString());
        // Tests run inside the repository's checkout, so the commit is known.
        Assert.Matches("^[0-9a-f]{40}$", root.GetProperty("git_commit").GetString());
        Assert.True(root.GetProperty("git_dirty").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.Equal(run.Environment, run.Folder.ReadEnvironment());
    }

    [Fact]
    public void EnvironmentSaysWhetherOneDnnWasCappedAndReadsFilesFromBeforeItDid()
    {
        var json = JsonNode.Parse(File.ReadAllText(run.Folder.EnvironmentPath))!.AsObject();
        // The test host applies the cap as the command does (TestHostSetup): capped here exactly where it is capped for users.
        if (OneDnnIsaCap.Cap is { } cap) Assert.Equal(cap, json["one_dnn_cap"]!.GetValue<string>());
        else Assert.False(json.ContainsKey("one_dnn_cap"));
        json.Remove("one_dnn_cap");
        var older = JsonSerializer.Deserialize<RunEnvironment>(json.ToJsonString(), RunJson.Document)!;
        Assert.Null(older.OneDnnCap);
        Assert.DoesNotContain("oneDNN", older.Summary());
        Assert.Contains("(oneDNN capped at AVX)", (older with { OneDnnCap = "AVX" }).Summary());
    }

    [Fact]
    public void MetricsHaveOneSnakeCaseLinePerEpochWrittenAsTheEpochEnds()
    {
        var lines = File.ReadAllLines(run.Folder.MetricsPath);
        Assert.Equal(3, lines.Length);
        Assert.Equal([1, 2, 3], run.LinesSeenAtEpochEnd);
        for (int i = 0; i < lines.Length; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            var e = doc.RootElement;
            Assert.Equal(i + 1, e.GetProperty("epoch").GetInt32());
            foreach (var key in new[] { "train_loss", "train_accuracy", "val_loss", "val_accuracy", "val_top_k", "val_f1", "ema_val_loss", "ema_val_accuracy", "learning_rate", "seconds", "images_per_second" })
                Assert.True(e.TryGetProperty(key, out _), $"line {i + 1} lacks {key}: {lines[i]}");
        }
        Assert.Equal(run.Result.History, run.Folder.ReadMetrics());
    }

    [Fact]
    public void SummaryHasFinalBestAndTestMetrics()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(run.Folder.SummaryPath));
        var s = doc.RootElement;
        Assert.Equal(3, s.GetProperty("epochs_run").GetInt32());
        Assert.Equal(run.Result.BestEpoch, s.GetProperty("best_epoch").GetInt32());
        Assert.Equal("val_accuracy", s.GetProperty("monitor").GetString());
        Assert.Equal("completed", s.GetProperty("end_reason").GetString());
        Assert.Equal(run.Test.Accuracy, s.GetProperty("test_accuracy").GetDouble(), 12);
        Assert.Equal(30, s.GetProperty("test_samples").GetInt64());
        Assert.Equal(3, s.GetProperty("final").GetProperty("epoch").GetInt32());
        Assert.Equal(run.Result.BestEpoch, s.GetProperty("best").GetProperty("epoch").GetInt32());
        Assert.True(s.GetProperty("wall_seconds").GetDouble() > 0);
        Assert.Equal("checkpoints/best.ckpt", s.GetProperty("best_checkpoint").GetString());
        Assert.Equal("checkpoints/last.ckpt", s.GetProperty("last_checkpoint").GetString());
        Assert.True(run.Test.Accuracy > 0.9, $"the tiny run should learn the bands: test accuracy {run.Test.Accuracy}");
    }

    [Fact]
    public void ResumeDropsLinesOfEpochsThatWillRunAgain()
    {
        using var dir = new TempDir();
        var folder = RunFolder.Create(dir.Path);
        File.WriteAllText(folder.MetricsPath, string.Concat(run.Result.History.Select(m => JsonSerializer.Serialize(m, RunJson.Line) + "\n")));
        new RunFolderCallback(folder).OnFitStart(new TrainerState { Epoch = 2 });
        Assert.Equal([1, 2], folder.ReadMetrics().Select(m => m.Epoch));
        new RunFolderCallback(folder).OnFitStart(new TrainerState());
        Assert.False(File.Exists(folder.MetricsPath));
    }

    [Fact]
    public void NewPathNamesRunsByRecipeAndTimeWithoutClashing()
    {
        using var dir = new TempDir();
        var time = new DateTime(2026, 3, 4, 5, 6, 7);
        var first = RunFolder.NewPath(dir.Path, "cifar10-fast", time);
        Assert.Equal(Path.Combine(dir.Path, "cifar10-fast-20260304-050607"), first);
        RunFolder.Create(first);
        Assert.Equal(first + "-2", RunFolder.NewPath(dir.Path, "cifar10-fast", time));
    }
}
