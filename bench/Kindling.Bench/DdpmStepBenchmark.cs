using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Generative.Diffusion;
using Kindling.Runtime;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Bench;

/// <summary>
/// The DDPM U-Net's training step as the Trainer takes it (<see cref="DiffusionTask.TrainingStep"/>: t and noise drawn, x_t from the
/// cosine schedule, the U-Net's noise prediction, MSE, backward, the AdamW step) on a fixed synthetic Fashion-MNIST-shaped batch.
/// bench/generative/ddpm_bench.py times the same step in PyTorch (the same U-Net in bench/generative/models.py).
/// </summary>
public static class DdpmStepBenchmark
{
    /// <summary>The recipe's DDPM on 1x28x28 images in [-1, 1]: the U-Net (multipliers 1, 2, 2; time embedding 64) and the cosine schedule.</summary>
    public static DiffusionTask Task(int channels, int timesteps) =>
        new(new DiffusionUNet(1, timesteps, new DiffusionUNetOptions { Channels = channels, ChannelMultipliers = [1, 2, 2], TimeDim = 64 }),
            NoiseSchedule.Cosine(timesteps), new ImageShape(1, 28, 28), [0.5], [0.5]);

    /// <summary>Timed training steps; the result's model is "ddpm-unet".</summary>
    public static BenchResult Train(BenchSettings s, int channels, int timesteps)
    {
        StepBenchmarks.Prepare(s);
        using var task = Task(channels, timesteps);
        var unet = task.UNet;
        long parameters = unet.parameters().Sum(p => p.numel());
        var clock = new PhaseClock();
        var options = new TrainerOptions { Optimizer = StepBenchmarks.AdamW, ChannelsLast = s.ChannelsLast, Device = "cpu", StepTimer = clock };
        var state = new TrainerState { Epoch = 1, Epochs = 1, BatchesPerEpoch = int.MaxValue, StepsPerEpoch = int.MaxValue };
        using var session = TrainingSession.Open(task, options, state, s.Batch, fresh: false);
        unet.train();
        session.ZeroGrad();
        using var x = randn(s.Batch, 1, 28, 28);
        using var batch = new Batch([s.ChannelsLast ? ChannelsLast.Of(x).detach() : x.clone()], zeros(s.Batch, dtype: int64), null,
            Enumerable.Range(0, s.Batch).ToArray(), 0);
        int index = 0;
        for (int i = 0; i < s.Warmup; i++) session.RunBatch(batch, index++);
        var gc = GcActivity.Snapshot();
        clock.Start();
        for (int i = 0; i < s.Steps; i++)
        {
            session.RunBatch(batch, index++);
            ((IStepTimer)clock).StepEnd();
        }
        clock.Stop();
        int images = clock.Steps * s.Batch;
        double rate = clock.Seconds > 0 ? images / clock.Seconds : 0;
        return new BenchResult("ddpm-train", s with { Model = "ddpm-unet" }, parameters, 0, clock.Steps, images, clock.Seconds, rate, clock.Split(),
            0, 0, ProcessMemory.PeakMiB(), GcActivity.Since(gc));
    }
}
