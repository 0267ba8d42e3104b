using Kindling.Optim;
using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Tests.Optim;

public class OptimizerFactoryTests
{
    public OptimizerFactoryTests() => TorchRuntime.EnsureLoaded();

    static nn.Module<Tensor, Tensor> ConvNet() => nn.Sequential(
        ("conv", nn.Conv2d(3, 4, 3, bias: false)), ("bn", nn.BatchNorm2d(4)), ("flat", nn.Flatten()), ("head", nn.Linear(4, 2)));

    [Fact]
    public void BiasesAndNormParametersGetNoWeightDecayByDefault()
    {
        var groups = OptimizerFactory.Groups(ConvNet().named_parameters(), new OptimizerOptions { WeightDecay = 0.05 }, 0.1);
        Assert.Equal(2, groups.Count);
        var decay = groups.Single(g => g.WeightDecay == 0.05);
        var none = groups.Single(g => g.WeightDecay == 0);
        Assert.Equal(2, decay.Parameters.Count);           // conv.weight, head.weight
        Assert.Equal(3, none.Parameters.Count);            // bn.weight, bn.bias, head.bias
        Assert.All(none.Parameters, p => Assert.True(p.dim() <= 1));
    }

    [Fact]
    public void DecayNormAndBiasPutsEverythingInOneGroup()
    {
        var groups = OptimizerFactory.Groups(ConvNet().named_parameters(), new OptimizerOptions { WeightDecay = 0.05, DecayNormAndBias = true }, 0.1);
        Assert.Single(groups);
        Assert.Equal(5, groups[0].Parameters.Count);
    }

    [Fact]
    public void LrMultipliersGiveGroupsTheirOwnLearningRate()
    {
        var o = new OptimizerOptions { Name = "sgd", Lr = 0.1, LrMultipliers = new Dictionary<string, double> { ["head"] = 10, ["head.bias"] = 0.5 } };
        using var opt = OptimizerFactory.Create(ConvNet(), o);
        var lrs = opt.ParamGroups.Select(g => g.LearningRate).OrderBy(x => x).ToArray();
        Assert.Equal(new[] { 0.05, 0.1, 0.1, 1.0 }, lrs.Select(x => Math.Round(x, 12)).ToArray());
    }

    [Fact]
    public void LinearScalingRule()
    {
        var o = new OptimizerOptions { Lr = 0.1, BaseBatchSize = 256 };
        Assert.Equal(0.2, OptimizerFactory.ScaledLr(o, 512), 12);
        Assert.Equal(0.1, OptimizerFactory.ScaledLr(o with { BaseBatchSize = null }, 512), 12);
        Assert.Throws<ArgumentException>(() => OptimizerFactory.ScaledLr(o, 0));
    }

    [Fact]
    public void UnknownOptimizerNamesTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => OptimizerFactory.Create(ConvNet(), new OptimizerOptions { Name = "adamax2" }));
        Assert.Contains("adamw", e.Message);
        Assert.Contains("adamax2", e.Message);
    }

    [Fact]
    public void LookaheadExposesInnerGroupsToSchedules()
    {
        using var opt = OptimizerFactory.Create(ConvNet(), new OptimizerOptions { Name = "sgd", Lr = 0.1, Lookahead = new LookaheadOptions(3, 0.5) });
        var la = Assert.IsType<Lookahead>(opt);
        var schedule = new Kindling.Optim.Schedulers.StepLR(opt, 1, 0.5);
        schedule.Step();
        Assert.All(la.Inner.ParamGroups, g => Assert.Equal(0.05, g.LearningRate, 12));
    }
}
