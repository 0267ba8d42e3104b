using Kindling.Runtime;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Tests.Training;

public class GradScalerTests
{
    public GradScalerTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void CleanStepsUnscaleStepAndGrowAfterTheInterval()
    {
        var p = new TorchSharp.Modules.Parameter(ones(3));
        using var opt = optim.SGD(new[] { p }, 0.1);
        var scaler = new GradScaler(init_scale: 8, growth_interval: 2);
        for (int i = 0; i < 2; i++)
        {
            p.grad?.zero_();
            scaler.ScaleLoss(p.sum()).backward();      // grad = 8 before unscaling
            Assert.True(scaler.Step(opt, new[] { p }));
            scaler.Update();
        }
        // Two SGD steps with the true gradient 1: 1 - 2 * 0.1.
        Assert.True(p.allclose(full(3, 0.8f), 1e-6, 1e-6));
        Assert.Equal(16, scaler.Scale);
        Assert.Equal(0, scaler.GrowthTracker);
    }

    [Fact]
    public void InfiniteGradientsSkipTheStepAndBackOff()
    {
        var p = new TorchSharp.Modules.Parameter(ones(2));
        using var opt = optim.SGD(new[] { p }, 0.1);
        var scaler = new GradScaler(init_scale: 1024);
        scaler.ScaleLoss((p * float.PositiveInfinity).sum()).backward();
        Assert.False(scaler.Step(opt, new[] { p }));
        scaler.Update();
        Assert.True(p.equal(ones(2)).all().item<bool>());
        Assert.Equal(512, scaler.Scale);
        Assert.Equal(1, scaler.SkippedSteps);
    }
}
