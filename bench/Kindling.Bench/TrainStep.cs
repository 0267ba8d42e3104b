using Kindling.Losses;
using Kindling.Optim;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Bench;

/// <summary>
/// One training step as the Trainer takes it (forward, label-smoothed cross-entropy, the loss read
/// back, backward, AdamW step, gradients set to none), with each phase reported to a <see cref="PhaseClock"/>.
/// </summary>
public sealed class TrainStep : IDisposable
{
    readonly nn.Module<Tensor, Tensor> model;
    readonly optim.Optimizer optimizer;
    readonly CrossEntropy criterion = new(label_smoothing: StepBenchmarks.LabelSmoothing);
    readonly bool channelsLast;

    public TrainStep(nn.Module<Tensor, Tensor> model, bool channelsLast)
    {
        this.model = model;
        this.channelsLast = channelsLast;
        model.train();
        if (channelsLast) ChannelsLast.Apply(model);
        optimizer = OptimizerFactory.Create(model, StepBenchmarks.AdamW);
    }

    /// <summary>One step on (images, labels); returns how many predictions were right. A null clock: untimed.</summary>
    public long Run(Tensor images, Tensor labels, PhaseClock? clock)
    {
        using var scope = NewDisposeScope();
        var x = channelsLast ? ChannelsLast.Of(images) : images;
        var logits = model.call(x);
        var loss = criterion.Forward(logits, labels);
        _ = loss.item<float>();
        long correct = logits.argmax(1).eq(labels).sum().item<long>();
        clock?.Forward();
        loss.backward();
        clock?.Backward();
        optimizer.step();
        model.zero_grad(set_to_none: true);
        clock?.Optimizer();
        clock?.EndStep();
        return correct;
    }

    public void Dispose() => optimizer.Dispose();
}
