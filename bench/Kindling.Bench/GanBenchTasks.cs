using Kindling.Data.Datasets;
using Kindling.Generative.Gan;
using Kindling.Optim;

namespace Kindling.Bench;

/// <summary>The generative tasks the benchmarks train: seed 004's DCGAN and WGAN-GP on 1x28x28 images in [-1, 1], as configs/fashion-mnist-{dcgan,wgan-gp}.yaml build them.</summary>
public static class GanBenchTasks
{
    /// <summary>The task names `kindling bench memory --task` knows besides the seed CNN.</summary>
    public static IReadOnlyList<string> Names { get; } = ["dcgan", "wgan-gp", "gan"];

    /// <summary>The recipes' optimizer: Adam lr 2e-4, betas (0.5, 0.999).</summary>
    public static OptimizerOptions Adam { get; } = new() { Name = "adam", Lr = 2e-4, Beta1 = 0.5, Beta2 = 0.999 };

    /// <summary>
    /// The task named <paramref name="name"/> for <paramref name="shape"/> images, initialised from <paramref name="seed"/>; the DCGAN
    /// generator's upsample-conv pairs fused unless <paramref name="fuseUpsampleConv"/> is false.
    /// </summary>
    public static GanTask Create(string name, ImageShape shape, long seed = 0, bool fuseUpsampleConv = true)
    {
        TorchSharp.torch.manual_seed(seed);
        return name switch
        {
            "dcgan" => new GanTask(new DcganGenerator(shape, fuseUpsampleConv: fuseUpsampleConv), new DcganDiscriminator(shape)),
            "wgan-gp" => new GanTask(new DcganGenerator(shape, fuseUpsampleConv: fuseUpsampleConv), new DcganDiscriminator(shape, batchNorm: false, dropout: 0),
                new GanOptions { Loss = GanLoss.Wasserstein, NCritic = 5 }),
            "gan" => new GanTask(new MlpGenerator(shape), new MlpDiscriminator(shape)),
            _ => throw new ArgumentException($"'{name}' is not a benchmark task; known: seed-cnn, {string.Join(", ", Names)}."),
        };
    }
}
