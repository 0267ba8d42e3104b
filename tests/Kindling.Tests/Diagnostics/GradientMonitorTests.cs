using System.Text.Json;
using Kindling.Diagnostics.Gradients;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Tests.Training;
using Kindling.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Diagnostics;

/// <summary>The gradient monitor's statistics, outputs, and where it says a planted NaN appeared; anomaly mode naming the op.</summary>
[Collection("GlobalGenerator")]
public class GradientMonitorTests
{
    public GradientMonitorTests() => TorchRuntime.EnsureLoaded();

    static TrainerOptions Options(int epochs = 1) => new() { Epochs = epochs, Device = "cpu", Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.05 } };

    static (GradientMonitor Monitor, List<string> Log) Train(nn.Module<Tensor, Tensor> model, TrainerOptions options, GradientMonitorOptions? monitorOptions = null)
    {
        var log = new List<string>();
        var monitor = new GradientMonitor(model, (monitorOptions ?? new()) with { Log = log.Add });
        using var loader = TinyData.Loader(TinyData.Bands(64), 16, transform: DoctorFixtures.Normalized(TinyData.Bands(64)));
        new Trainer(options, [monitor]).Fit(model, loader);
        return (monitor, log);
    }

    [Fact]
    public void EveryParameterGetsItsNormsPerEpochInJsonlAndTensorBoard()
    {
        using var tmp = new TempDir();
        var jsonl = Path.Combine(tmp.Path, "gradients.jsonl");
        var model = new PlantedFaults.WithUnusedLayer();
        var (monitor, log) = Train(model, Options(epochs: 2), new GradientMonitorOptions { JsonlPath = jsonl, TensorBoardDir = Path.Combine(tmp.Path, "tb"), LogEvery = 2 });

        Assert.Empty(log);
        Assert.Null(monitor.FirstNonFinite);
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Equal(names, monitor.LastEpoch.Select(p => p.Name));
        foreach (var p in monitor.LastEpoch.Where(p => !p.Name.StartsWith("spare.")))
        {
            Assert.True(p.GradNormMean > 0 && p.GradNormMax >= p.GradNormMean && p.GradMeanAbs > 0 && p.WeightNorm > 0, p.ToString());
            Assert.Equal(4, p.Steps);
        }
        var spare = monitor.LastEpoch.Single(p => p.Name == "spare.weight");
        Assert.Equal(spare.Steps, spare.NoGradSteps);
        Assert.Contains(monitor.Table(), line => line.StartsWith("spare.weight") && line.EndsWith("no gradient!"));

        // The weight norm is taken before the epoch's last update: close to the final weights' norm, not equal.
        var fc = model.named_parameters().Single(p => p.name == "body.fc.weight").parameter;
        double final = fc.detach().norm().item<float>(), before = monitor.LastEpoch.Single(p => p.Name == "body.fc.weight").WeightNorm;
        Assert.True(Math.Abs(final - before) < 0.1 * final && final != before, $"{before} vs {final}");

        var lines = File.ReadAllLines(jsonl);
        Assert.Equal(2, lines.Length);
        using var doc = JsonDocument.Parse(lines[1]);
        Assert.Equal(2, doc.RootElement.GetProperty("epoch").GetInt32());
        Assert.Equal(names.Count, doc.RootElement.GetProperty("parameters").GetArrayLength());
        Assert.Single(Directory.GetFiles(Path.Combine(tmp.Path, "tb"), "*.gradients", SearchOption.AllDirectories));
    }

    [Fact]
    public void ANaNMadeInTheForwardPassIsBlamedOnTheFirstLayerWhoseOutputIsNotFinite()
    {
        var (monitor, log) = Train(PlantedFaults.NanAfterFirstRelu(), Options());
        var e = monitor.FirstNonFinite!;
        Assert.Equal("bad (LogMinusOne)", e.ForwardLayer);
        Assert.Equal(1, e.Step);
        Assert.Equal(4, monitor.NonFiniteSteps);
        Assert.Contains("bad (LogMinusOne)", Assert.Single(log));
    }

    [Fact]
    public void ANaNMadeInTheBackwardPassIsBlamedOnTheFirstParameterInBackwardOrder()
    {
        var (monitor, _) = Train(PlantedFaults.NanInBackward(), Options());
        var e = monitor.FirstNonFinite!;
        Assert.Null(e.ForwardLayer);
        // fc2 (after the sqrt) keeps finite gradients; fc1 (before it) gets NaN, its bias last in forward order.
        Assert.Equal("fc1.bias", e.BackwardParameter);
        Assert.DoesNotContain(e.Parameters, p => p.StartsWith("fc2."));
    }

    [Fact]
    public void AnomalyModeNamesTheOpWhoseBackwardReturnedNaNAndIsOffAfterwards()
    {
        using var loader = TinyData.Loader(TinyData.Bands(64), 16, transform: DoctorFixtures.Normalized(TinyData.Bands(64)));
        var e = Assert.Throws<NonFiniteTrainingException>(() => new Trainer(Options() with { DetectAnomaly = true }).Fit(PlantedFaults.NanInBackward(), loader));
        Assert.Contains("SqrtBackward0", e.Message);
        Assert.Contains("epoch 1, batch 1", e.Message);
        Assert.False(AnomalyMode.IsEnabled);
        // Without anomaly mode the same run goes on (the non-finite steps are skipped).
        var result = new Trainer(Options()).Fit(PlantedFaults.NanInBackward(), loader);
        Assert.Equal(4, result.SkippedSteps);
    }
}
