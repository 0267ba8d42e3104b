using Kindling.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Diagnostics;

/// <summary>Models and losses with one deliberate mistake each, for the doctor and the gradient monitor to find.</summary>
static class PlantedFaults
{
    /// <summary>The correct conv net followed by softmax: cross-entropy then applies softmax twice.</summary>
    public static nn.Module<Tensor, Tensor> EndsInSoftmax() => nn.Sequential(("body", DoctorFixtures.ConvNet()), ("softmax", nn.Softmax(1)));

    /// <summary>log(x - 1) after the first ReLU: NaN wherever the activation is below 1.</summary>
    public static nn.Module<Tensor, Tensor> NanAfterFirstRelu()
    {
        manual_seed(3);
        return nn.Sequential(("conv1", nn.Conv2d(1, 8, 3, padding: 1)), ("relu1", nn.ReLU()), ("bad", new LogMinusOne()),
            ("pool", nn.AdaptiveAvgPool2d(new long[] { 2, 2 })), ("flat", nn.Flatten()), ("fc", nn.Linear(32, 3)));
    }

    /// <summary>A hidden layer with a bias of -100: every ReLU unit after it is dead.</summary>
    public static nn.Module<Tensor, Tensor> DeadRelu()
    {
        manual_seed(3);
        var fc1 = nn.Linear(64, 32);
        using (no_grad()) fc1.bias!.fill_(-100);
        return nn.Sequential(("flat", nn.Flatten()), ("fc1", fc1), ("relu", nn.ReLU()), ("fc2", nn.Linear(32, 3)));
    }

    /// <summary>The correct net with its last layer's weights multiplied by 100: confidently wrong at initialisation.</summary>
    public static nn.Module<Tensor, Tensor> HugeLogits()
    {
        var model = DoctorFixtures.ConvNet();
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name.StartsWith("fc.")) p.mul_(100);
        return model;
    }

    /// <summary>The correct net plus a registered layer that forward never uses.</summary>
    public sealed class WithUnusedLayer : nn.Module<Tensor, Tensor>
    {
        readonly nn.Module<Tensor, Tensor> body = DoctorFixtures.ConvNet();
        readonly nn.Module<Tensor, Tensor> spare = nn.Linear(32, 3);

        public WithUnusedLayer() : base(nameof(WithUnusedLayer)) => RegisterComponents();

        public override Tensor forward(Tensor x) => body.call(x);
    }

    /// <summary>The correct net whose output is detached: nothing can train.</summary>
    public sealed class DetachedOutput : nn.Module<Tensor, Tensor>
    {
        readonly nn.Module<Tensor, Tensor> body = DoctorFixtures.ConvNet();

        public DetachedOutput() : base(nameof(DetachedOutput)) => RegisterComponents();

        public override Tensor forward(Tensor x) => body.call(x).detach();
    }

    /// <summary>sqrt masked by where after a linear layer: the forward is finite, but sqrt's backward at the masked negatives is 0 x NaN.</summary>
    public static nn.Module<Tensor, Tensor> NanInBackward()
    {
        manual_seed(3);
        return nn.Sequential(("flat", nn.Flatten()), ("fc1", nn.Linear(64, 16)), ("bad", new WhereSqrt()), ("fc2", nn.Linear(16, 3)));
    }

    /// <summary>A model whose forward sleeps: compute dominates the step.</summary>
    public static nn.Module<Tensor, Tensor> Slow(int milliseconds)
    {
        manual_seed(3);
        return nn.Sequential(("flat", nn.Flatten()), ("fc", nn.Linear(64, 3)), ("sleep", new Sleep(milliseconds)));
    }

    sealed class Sleep(int milliseconds) : nn.Module<Tensor, Tensor>(nameof(Sleep))
    {
        public override Tensor forward(Tensor x)
        {
            Thread.Sleep(milliseconds);
            return x.alias();
        }
    }

    sealed class WhereSqrt() : nn.Module<Tensor, Tensor>(nameof(WhereSqrt))
    {
        public override Tensor forward(Tensor x) => where(x > 0, x.sqrt(), zeros_like(x));
    }

    sealed class LogMinusOne() : nn.Module<Tensor, Tensor>(nameof(LogMinusOne))
    {
        public override Tensor forward(Tensor x) => (x - 1).log();
    }

    /// <summary>Cross-entropy against targets shuffled anew at every call: no model can fit them.</summary>
    public sealed class ShuffledTargetsLoss : ILoss
    {
        public Tensor Forward(Tensor logits, Tensor targets) =>
            nn.functional.cross_entropy(logits, targets[randperm(targets.shape[0])]);
    }
}
