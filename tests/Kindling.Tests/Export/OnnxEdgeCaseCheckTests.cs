using Kindling.Export.Onnx;
using Kindling.Models;
using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Tests.Export;

/// <summary>An exported model is checked against its checkpoint on extreme inputs; a model that no longer matches its file fails, naming the inputs.</summary>
[Collection("GlobalGenerator")]
public class OnnxEdgeCaseCheckTests
{
    public OnnxEdgeCaseCheckTests() => TorchRuntime.EnsureLoaded();

    static readonly double[] Mean = [0.5, 0.4, 0.3];
    static readonly double[] Std = [0.25, 0.2, 0.3];

    [Fact]
    public void AFaithfulExportPassesOnBlackWhiteNoiseAndABatchOfOne()
    {
        using var model = ModelRegistry.Create("fastnet", new ModelOptions { NumClasses = 5, InChannels = 3, InputSize = 8, WidthMultiplier = 0.25 });
        model.train(); // the check runs it in eval mode, as exported, and puts the mode back
        using var ort = new OnnxRuntimeModel(OnnxExporter.ToModel(model, [3, 8, 8]).ToBytes(), intraOpThreads: 1);
        var report = OnnxEdgeCaseCheck.Run(model, ort, [3, 8, 8], Mean, Std);
        Assert.True(report.Passed, string.Join("\n", report.Cases));
        Assert.Equal(["all-black", "all-white", "noise", "batch-of-one"], report.Cases.Select(c => c.Input));
        Assert.Equal(1, report.Cases.Single(c => c.Input == "batch-of-one").Batch);
        Assert.All(report.Cases, c => Assert.Equal(1.0, c.ArgmaxAgreement));
        Assert.All(report.Cases, c => Assert.InRange(c.MaxAbsDiff, 0, OnnxEdgeCaseCheck.DefaultTolerance));
        Assert.True(model.training);
    }

    [Fact]
    public void AModelThatDiffersFromItsFileFails()
    {
        using var model = ModelRegistry.Create("seed-cnn", new ModelOptions { NumClasses = 3, InChannels = 3, InputSize = 32 });
        using var ort = new OnnxRuntimeModel(OnnxExporter.ToModel(model, [3, 32, 32]).ToBytes(), intraOpThreads: 1);
        // Planted fault: the weights move after export, so the file no longer computes the checkpoint's logits.
        using (no_grad())
            foreach (var p in model.parameters()) p.add_(0.05);
        var report = OnnxEdgeCaseCheck.Run(model, ort, [3, 32, 32], Mean, Std);
        Assert.False(report.Passed);
        Assert.NotEmpty(report.Failed);
        Assert.All(report.Failed, c => Assert.True(!(c.MaxAbsDiff <= 1e-3)));
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        using var model = ModelRegistry.Create("seed-cnn", new ModelOptions { NumClasses = 3 });
        using var ort = new OnnxRuntimeModel(OnnxExporter.ToModel(model, [3, 32, 32]).ToBytes(), intraOpThreads: 1);
        Assert.Throws<ArgumentException>(() => OnnxEdgeCaseCheck.Run(model, ort, [3, 32]));
        Assert.Throws<ArgumentException>(() => OnnxEdgeCaseCheck.Run(model, ort, [3, 32, 32], [0.5], [0.5]));
    }
}
