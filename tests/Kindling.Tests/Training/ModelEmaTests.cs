using Kindling.Runtime;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Tests.Training;

public class ModelEmaTests
{
    public ModelEmaTests() => TorchRuntime.EnsureLoaded();

    static nn.Module<Tensor, Tensor> Net() => nn.Sequential(("fc", nn.Linear(2, 2)), ("bn", nn.BatchNorm1d(2)));

    [Fact]
    public void AveragesWeightsWithWarmedUpDecayAndCopiesBuffers()
    {
        var model = Net();
        using var ema = new ModelEma(model, decay: 0.9, warmup: true);
        var w0 = model.named_parameters().First().parameter.detach().clone();
        using (no_grad()) model.named_parameters().First().parameter.add_(1.0);
        model.train();
        model.forward(randn(8, 2)).Dispose(); // moves BN running stats
        double d0 = ema.CurrentDecay;
        Assert.Equal(Math.Min(0.9, 1.0 / 10.0), d0, 12);
        ema.Update(model);
        // ema = d0 * w0 + (1 - d0) * (w0 + 1) = w0 + (1 - d0)
        var averaged = ema.StateDict()["fc.weight"];
        Assert.True(averaged.allclose(w0 + (1 - d0), 1e-6, 1e-6));
        var running = model.named_buffers().Single(b => b.name == "bn.running_mean").buffer;
        Assert.True(ema.StateDict()["bn.running_mean"].equal(running).all().item<bool>());
        // Decay grows toward its cap: (1+t)/(10+t).
        Assert.Equal(2.0 / 11.0, ema.CurrentDecay, 12);
    }

    [Fact]
    public void SwapPutsAverageInAndRestoresTheModel()
    {
        var model = Net();
        using var ema = new ModelEma(model, decay: 0.5, warmup: false);
        var original = model.named_parameters().First().parameter.detach().clone();
        using (no_grad()) model.named_parameters().First().parameter.add_(2.0);
        ema.Update(model); // average = original + 1
        var trained = model.named_parameters().First().parameter.detach().clone();
        using (ema.Swap(model))
            Assert.True(model.named_parameters().First().parameter.allclose(original + 1, 1e-6, 1e-6));
        Assert.True(model.named_parameters().First().parameter.equal(trained).all().item<bool>());
    }
}
