using System.Text.Json;
using Kindling.Data.BatchMix;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Tests.Training;
using Kindling.Training;
using Kindling.Training.Tasks;
using Kindling.Tuning;
using Kindling.Tuning.LrFinding;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Tuning;

[Collection("GlobalGenerator")]
public class LrFinderTests
{
    public LrFinderTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void SequenceIsExponentialFromStartToEnd()
    {
        var lrs = LrFinder.Sequence(1e-7, 10, 100);
        Assert.Equal(100, lrs.Length);
        Assert.Equal(1e-7, lrs[0]);
        Assert.Equal(10, lrs[^1]);
        double ratio = Math.Pow(1e8, 1.0 / 99);
        for (int i = 1; i < lrs.Length; i++) Assert.Equal(ratio, lrs[i] / lrs[i - 1], 9);
        Assert.Equal([1.0, 10.0, 100.0], LrFinder.Sequence(1, 100, 3).Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void SmoothingIsBiasCorrected()
    {
        var s = new LossSmoother(0.98);
        Assert.Equal(2.0, s.Add(2.0), 12);                                   // 0.02 x 2 / (1 - 0.98)
        Assert.Equal((0.98 * 0.02 * 2 + 0.02 * 4) / (1 - 0.98 * 0.98), s.Add(4.0), 12);
        var constant = new LossSmoother(0.98);
        // Without the correction the first values would be 0.02c, 0.0396c, ...: with it a constant stays constant.
        foreach (var _ in Enumerable.Range(0, 20)) Assert.Equal(3.5, constant.Add(3.5), 10);
        var none = new LossSmoother(0);
        Assert.Equal(7.0, none.Add(7.0));
        Assert.Equal(1.0, none.Add(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LossSmoother(1.0));
    }

    [Fact]
    public void StopsWhenTheSmoothedLossExceedsFourTimesTheBest()
    {
        // Unsmoothed: the first LR at or above 1e-2 gives 5x the loss, so the sweep stops there and does not record it.
        var sharp = new LrFinder(new LrFinderOptions { StartLr = 1e-5, EndLr = 1, Steps = 51, Smoothing = 0 }).Run(lr => lr < 1e-2 ? 1.0 : 5.0);
        Assert.StartsWith("diverged", sharp.StopReason);
        Assert.True(sharp.Diverged);
        Assert.All(sharp.Points, p => Assert.True(p.Lr < 1e-2));
        Assert.Equal(LrFinder.Sequence(1e-5, 1, 51).Count(lr => lr < 1e-2), sharp.Points.Count);

        // Smoothed: the stop comes later, exactly at the first step whose smoothed loss passes 4x the best.
        var sweep = new LrFinder(new LrFinderOptions { StartLr = 1e-5, EndLr = 1, Steps = 51 });
        var smooth = sweep.Run(lr => lr < 1e-2 ? 1.0 : 50.0);
        var s = new LossSmoother(0.98);
        int expected = LrFinder.Sequence(1e-5, 1, 51).Select(lr => s.Add(lr < 1e-2 ? 1.0 : 50.0)).TakeWhile(v => v <= 4.0).Count();
        Assert.Equal(expected, smooth.Points.Count);
        Assert.True(smooth.Points.Count > sharp.Points.Count);

        var flat = sweep.Run(_ => 1.0);
        Assert.Equal("completed", flat.StopReason);
        Assert.Equal(51, flat.Points.Count);
        var nan = sweep.Run(lr => lr > 1e-3 ? double.NaN : 1.0);
        Assert.StartsWith("non-finite loss", nan.StopReason);
    }

    // A loss that falls fastest at lr 1e-3 (tanh in log10 lr), bottoms out near 1e-1 and climbs after.
    static double Synthetic(double lr)
    {
        double x = Math.Log10(lr);
        return 2 - Math.Tanh(2 * (x + 3)) + 5 * Math.Pow(Math.Max(0, x + 1), 2);
    }

    [Fact]
    public void SuggestsTheSteepestDescentAndATenthOfTheMinimumOnASyntheticCurve()
    {
        // 71 steps from 1e-6 to 10: log10(lr) moves by exactly 0.1 a step.
        var result = new LrFinder(new LrFinderOptions { StartLr = 1e-6, EndLr = 10, Steps = 71, Smoothing = 0 }).Run(Synthetic);
        Assert.Equal(1e-3, result.Steepest!.Value, 1e-3 * 1e-6);
        Assert.InRange(Math.Log10(result.MinimumLr!.Value), -1.05, -0.75);
        Assert.Equal(result.MinimumLr.Value / 10, result.Suggest(LrSuggestion.MinimumTenth), 15);
        Assert.Equal(result.Steepest.Value, result.Suggest(LrSuggestion.Steepest));

        // Smoothing lags the curve: the steepest point moves right, but stays within half a decade.
        var smoothed = new LrFinder(new LrFinderOptions { StartLr = 1e-6, EndLr = 10, Steps = 71 }).Run(Synthetic);
        Assert.InRange(Math.Log10(smoothed.Steepest!.Value), -3, -2.5);
    }

    [Fact]
    public void TooShortACurveSuggestsNothingAndSaysWhy()
    {
        var result = new LrFinder(new LrFinderOptions { StartLr = 1e-3, EndLr = 1, Steps = 10, Smoothing = 0 }).Run(lr => lr < 3e-3 ? 1.0 : 10.0);
        Assert.Null(result.Steepest);
        var e = Assert.Throws<InvalidOperationException>(() => result.Suggest(LrSuggestion.Steepest));
        Assert.Contains("lower the start lr", e.Message);
    }

    [Theory]
    [InlineData(1.0, 1.0, 100, "greater than the start lr")]
    [InlineData(1.0, 0.5, 100, "greater than the start lr")]
    [InlineData(0.0, 1.0, 100, "start lr must be")]
    [InlineData(1e-7, double.PositiveInfinity, 100, "end lr must be finite")]
    [InlineData(1e-7, 10, 1, "at least 2 steps")]
    public void BadSettingsAreRefusedWithTheReason(double start, double end, int steps, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new LrFinder(new LrFinderOptions { StartLr = start, EndLr = end, Steps = steps }));
        Assert.Contains(message, e.Message);
    }

    static nn.Module<Tensor, Tensor> ConvNet()
    {
        manual_seed(3);
        return nn.Sequential(("conv", nn.Conv2d(1, 4, 3, padding: 1)), ("bn", nn.BatchNorm2d(4)), ("relu", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(new long[] { 2, 2 })), ("flat", nn.Flatten()), ("drop", nn.Dropout(0.2)), ("fc", nn.Linear(16, 3)));
    }

    static List<double[]> State(nn.Module m) =>
        m.parameters().Select(p => (Tensor)p).Concat(m.buffers()).Select(t => t.detach().cpu().to(float64).data<double>().ToArray()).ToList();

    static byte[] OptimizerBytes(optim.Optimizer optimizer)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream)) ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(w);
        return stream.ToArray();
    }

    [Fact]
    public void LeavesTheModelTheOptimizerAndTheRandomStateAsTheyWere()
    {
        var model = ConvNet();
        using var loader = TinyData.Loader(TinyData.Bands(48), 8, shuffle: true);
        var optimizer = OptimizerFactory.Create(model, new OptimizerOptions { Name = "sgd", Lr = 0.05, Momentum = 0.9 });
        // One real step first, so the optimizer has momentum buffers and the model gradients to keep.
        using (var scope = NewDisposeScope())
        {
            var batch = loader.First();
            nn.functional.cross_entropy(model.call(batch.Images), batch.Labels).backward();
            optimizer.step();
            batch.Dispose();
        }
        model.eval();
        var weights = State(model);
        var grads = model.parameters().Select(p => p.grad!.data<float>().ToArray()).ToList();
        var optimizerState = OptimizerBytes(optimizer);
        var rng = get_rng_state().data<byte>().ToArray();

        int steps = 0;
        // The sweep's optimizer is the engine's own, built fresh: the caller's is never touched.
        var result = new LrFinder(new LrFinderOptions { StartLr = 1e-4, EndLr = 10, Steps = 20 }).Run(model, loader, new OptimizerOptions { Name = "sgd", Momentum = 0.9 }, onStep: _ => steps++);
        Assert.True(result.Points.Count >= 5, result.StopReason);
        Assert.Equal(result.Points.Count, steps);
        Assert.NotEqual(result.Points[0].Loss, result.Points[^1].Loss);

        Assert.Equal(weights, State(model));
        Assert.Equal(grads, model.parameters().Select(p => p.grad!.data<float>().ToArray()).ToList());
        Assert.False(model.training);
        Assert.Equal(optimizerState, OptimizerBytes(optimizer));
        Assert.Equal(0.05, optimizer.ParamGroups.First().LearningRate);
        Assert.Equal(rng, get_rng_state().data<byte>().ToArray());

        // The overload that builds its own optimizer leaves the model as it was too.
        var fresh = new LrFinder(new LrFinderOptions { StartLr = 1e-4, EndLr = 10, Steps = 20 }).Run(model, loader, new OptimizerOptions { Name = "adamw", WeightDecay = 0.05 });
        Assert.NotEmpty(fresh.Points);
        Assert.Equal(weights, State(model));
    }

    [Fact]
    public void ATinyRunWritesItsPlotAndJson()
    {
        using var tmp = new TempDir();
        var model = ConvNet();
        using var loader = TinyData.Loader(TinyData.Bands(48), 8, shuffle: true);
        // 30 steps over 6 batches an epoch: the loader's epochs repeat.
        var result = new LrFinder(new LrFinderOptions { StartLr = 1e-4, EndLr = 100, Steps = 30 }).Run(model, loader, new OptimizerOptions { Name = "sgd", Momentum = 0.9 });
        Assert.True(result.Points.Count > 6, result.StopReason);
        var png = LrFinderPlot.Save(result, Path.Combine(tmp.Path, "lr-find.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
        var json = Path.Combine(tmp.Path, "lr-find.json");
        result.SaveJson(json);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(result.Points.Count, doc.RootElement.GetProperty("points").GetArrayLength());
        Assert.Equal(result.Points[3].SmoothedLoss, doc.RootElement.GetProperty("points")[3].GetProperty("smoothed_loss").GetDouble());
        Assert.Equal(result.Steepest!.Value, doc.RootElement.GetProperty("steepest").GetDouble());
        Assert.Equal(result.MinimumTenth!.Value, doc.RootElement.GetProperty("minimum_tenth").GetDouble());
    }

    [Fact]
    public void EachSweepStepIsOneOptimizerStepOfTheTasksOwnStep()
    {
        // A bf16, mixup, accumulate-by-2 recipe: every sweep point is one window of two batches through the task's step,
        // which sees the compute type and its window, and mixes every batch.
        var model = ConvNet();
        var weights = State(model);
        using var loader = TinyData.Loader(TinyData.Bands(48), 8, shuffle: true);
        var mix = new CountingMix(new Mixup(0.4));
        var task = new CountingTask(model, 3, new ClassificationOptions { BatchMix = mix });
        var trainer = new TrainerOptions
        {
            Device = "cpu", Precision = Precision.Bf16Mixed, AccumulationSteps = 2,
            Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.1, Momentum = 0.9 },
            Schedule = new Kindling.Optim.Schedulers.ScheduleOptions { Name = "one_cycle_lr", MaxLr = 0.1 },
        };
        var result = new LrFinder(new LrFinderOptions { StartLr = 1e-5, EndLr = 1e-3, Steps = 6 }).Run(task, loader, trainer);

        Assert.Equal("completed", result.StopReason);
        Assert.Equal(6, result.Points.Count);
        Assert.Equal(12, task.Calls);
        Assert.Equal(12, mix.Calls);
        Assert.All(task.WindowLengths, w => Assert.Equal(2, w));
        Assert.All(task.ComputeTypes, t => Assert.Equal(ScalarType.BFloat16, t));
        // Back in fp32 with the values it had.
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.Equal(weights, State(model));
    }

    [Fact]
    public void ATaskThatStepsItsOwnOptimizersIsRefusedWithTheReason()
    {
        var model = ConvNet();
        using var loader = TinyData.Loader(TinyData.Bands(16), 8);
        var e = Assert.Throws<NotSupportedException>(() => new LrFinder().Run(new CountingTask(model, 3, manual: true), loader, new TrainerOptions { Device = "cpu" }));
        Assert.Contains("manual optimization: optimizer", e.Message);
        Assert.Contains("LrFinder.Run(Func<double, double>)", e.Message);
    }
}
