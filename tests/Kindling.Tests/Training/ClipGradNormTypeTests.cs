using System.Text.Json;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Training;
using Kindling.Training.Callbacks;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace Kindling.Tests.Training;

/// <summary>
/// The engine clips by PyTorch's clip_grad_norm_ with the norm type asked for (inf and 1 included): the gradients it
/// steps with and the pre-clip norm it reports equal PyTorch 1.13's on the same gradients (Oracle/make_clip_fixtures.py).
/// </summary>
[Collection("GlobalGenerator")]
public class ClipGradNormTypeTests
{
    public ClipGradNormTypeTests() => TorchRuntime.EnsureLoaded();

    static readonly JsonDocument Fixture = OracleFixtures.Json("clipping/clip_grad_norm.json");

    static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    /// <summary>Replaces the step's gradients with the fixture's just before the engine clips them.</summary>
    sealed class FixtureGradients : ITrainerCallback
    {
        public List<double> Norms { get; } = new();

        public void OnBeforeOptimizerStep(TrainerState state, int batch, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
        {
            var root = Fixture.RootElement;
            foreach (var (name, p) in parameters)
                p.grad = tensor(Floats(root.GetProperty(name.EndsWith("weight") ? "weight_grad" : "bias_grad")), p.shape, float32);
        }

        public void OnBatchEnd(TrainerState state, BatchInfo batch)
        {
            if (batch.GradNorm is double n) Norms.Add(n);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ClipsAsPyTorchDoesForTheNormType(int index)
    {
        var c = Fixture.RootElement.GetProperty("cases")[index];
        double type = c.GetProperty("norm_type").ValueKind == JsonValueKind.String ? double.PositiveInfinity : c.GetProperty("norm_type").GetDouble();
        manual_seed(4);
        var model = nn.Sequential(("flat", nn.Flatten()), ("fc", nn.Linear(64, 3)));
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        var gradients = new FixtureGradients();
        // SGD with lr 1 and no momentum or decay: the update is exactly minus the clipped gradient.
        new Trainer(new TrainerOptions
        {
            Epochs = 1, ClipGradNorm = c.GetProperty("max_norm").GetDouble(), ClipGradNormType = type,
            Optimizer = new OptimizerOptions { Name = "sgd", Lr = 1.0 }, Device = "cpu",
        }, new[] { gradients }).Fit(model, TinyData.Loader(TinyData.Bands(16), 16));

        double total = c.GetProperty("total_norm").GetDouble();
        Assert.Single(gradients.Norms);
        Assert.True(Math.Abs(gradients.Norms[0] - total) <= 1e-6 * total, $"pre-clip norm {gradients.Norms[0]:R}, PyTorch {total:R}");
        var after = model.parameters().ToList();
        foreach (var (key, i) in new[] { ("weight", 0), ("bias", 1) })
        {
            var expected = Floats(c.GetProperty(key));
            var step = (before[i] - after[i].detach()).reshape(-1).data<float>().ToArray();
            for (int k = 0; k < expected.Length; k++)
                Assert.True(Math.Abs(expected[k] - step[k]) <= 1e-6 + 1e-5 * Math.Abs(expected[k]), $"{key}[{k}] clipped to {step[k]:R}; PyTorch {expected[k]:R} (norm type {type})");
        }
    }

    [Fact]
    public void ANormTypeThatIsNotPositiveIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(new TrainerOptions { ClipGradNorm = 1, ClipGradNormType = 0 }));
}
