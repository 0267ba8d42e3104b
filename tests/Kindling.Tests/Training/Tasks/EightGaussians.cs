using Kindling.Data.Loading;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Training.Tasks;

/// <summary>
/// The 2-D mixture of 8 Gaussians on a circle of radius 2 (the WGAN-GP paper's toy set), and a WGAN-GP written as a
/// user would write it against the task API: two optimizers, the critic stepped every batch and the generator every
/// n_critic critic steps, the gradient penalty through autograd.grad with create_graph.
/// </summary>
static class EightGaussians
{
    public const double Radius = 2, Std = 0.05;

    public static (double X, double Y)[] Centers { get; } =
        Enumerable.Range(0, 8).Select(k => (Radius * Math.Cos(k * Math.PI / 4), Radius * Math.Sin(k * Math.PI / 4))).ToArray();

    public static Tensor Points(int count, int seed)
    {
        var rng = new Random(seed);
        var data = new float[count * 2];
        for (int i = 0; i < count; i++)
        {
            var (x, y) = Centers[rng.Next(8)];
            data[2 * i] = (float)(x + Std * Gaussian(rng));
            data[2 * i + 1] = (float)(y + Std * Gaussian(rng));
        }
        return tensor(data).reshape(count, 2);
    }

    public static TensorLoader Loader(int count, int batch, int seed, bool shuffle = true) => new(Points(count, seed), batchSize: batch, shuffle: shuffle, seed: seed);

    /// <summary>How many modes hold at least 2% of the samples within 4 std of their centre, and the share of samples that are within 4 std of some centre.</summary>
    public static (int Modes, double Quality) Coverage(Tensor samples)
    {
        var p = samples.to(float32).cpu().data<float>().ToArray();
        int n = p.Length / 2;
        var counts = new int[8];
        int good = 0;
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            double bestDistance = double.MaxValue;
            for (int k = 0; k < 8; k++)
            {
                double d = Math.Sqrt(Math.Pow(p[2 * i] - Centers[k].X, 2) + Math.Pow(p[2 * i + 1] - Centers[k].Y, 2));
                if (d < bestDistance) (best, bestDistance) = (k, d);
            }
            if (bestDistance > 4 * Std) continue;
            counts[best]++;
            good++;
        }
        return (counts.Count(c => c >= 0.02 * n), (double)good / n);
    }

    static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    static nn.Module<Tensor, Tensor> Mlp(int inputs, int outputs, int width) =>
        nn.Sequential(("fc1", nn.Linear(inputs, width)), ("act1", nn.ReLU()), ("fc2", nn.Linear(width, width)), ("act2", nn.ReLU()), ("out", nn.Linear(width, outputs)));

    /// <summary>WGAN-GP (Gulrajani et al. 2017) on points, with manual optimization.</summary>
    public sealed class WganGp : TrainingTask
    {
        readonly Kindling.Optim.OptimizerOptions adam = new() { Name = "adam", Lr = 1e-3, Beta1 = 0.5, Beta2 = 0.9 };

        public WganGp(long seed, int nCritic = 5, int width = 64)
        {
            manual_seed(seed);
            Generator = Mlp(2, 2, width);
            Critic = Mlp(2, 1, width);
            NCritic = nCritic;
        }

        public nn.Module<Tensor, Tensor> Generator { get; }
        public nn.Module<Tensor, Tensor> Critic { get; }
        public int NCritic { get; }
        public long CriticSteps { get; private set; }
        public long GeneratorSteps { get; private set; }

        public override IReadOnlyList<(string Name, nn.Module Module)> Modules => [("generator", Generator), ("critic", Critic)];
        public override bool AutomaticOptimization => false;

        public override IReadOnlyList<OptimizerSpec> ConfigureOptimizers() =>
        [
            new OptimizerSpec("critic") { Modules = ["critic"], Options = adam },
            new OptimizerSpec("generator") { Modules = ["generator"], Options = adam, Every = NCritic },
        ];

        public override IReadOnlyList<MetricSpec> Metrics { get; } =
            [MetricSpec.Min("train_d_loss"), MetricSpec.Min("train_gp"), MetricSpec.Min("train_g_loss"), MetricSpec.Max("val_modes"), MetricSpec.Max("val_quality")];

        public override MetricSpec DefaultMonitor => MetricSpec.Max("val_quality");

        Tensor Noise(long n, StepContext step) => randn(n, 2, dtype: step.ComputeType ?? float32, device: step.Device);

        public override Tensor? TrainingStep(Kindling.Data.Loading.Batch batch, StepContext step)
        {
            var real = step.Input(batch.Images);
            var fake = Generator.forward(Noise(batch.Count, step)).detach();
            var dLoss = (Critic.forward(fake).to(float32).mean() - Critic.forward(real).to(float32).mean());
            var gp = GradientPenalty(real, fake);
            step.Backward(dLoss + 10 * gp, "critic");
            if (step.Step("critic")) CriticSteps++;
            step.Log("d_loss", dLoss.item<float>(), batch.Count);
            step.Log("gp", gp.item<float>(), batch.Count);
            if (step.IsDue("generator"))
            {
                var gLoss = -Critic.forward(Generator.forward(Noise(batch.Count, step))).to(float32).mean();
                step.Backward(gLoss, "generator");
                if (step.Step("generator")) GeneratorSteps++;
                step.Log("g_loss", gLoss.item<float>(), batch.Count);
            }
            return null;
        }

        /// <summary>E[(||grad_x critic(x_hat)||_2 - 1)^2] at random points between real and fake samples.</summary>
        public Tensor GradientPenalty(Tensor real, Tensor fake)
        {
            var alpha = rand(real.shape[0], 1, dtype: real.dtype, device: real.device);
            var between = (alpha * real + (1 - alpha) * fake).detach().requires_grad_(true);
            var score = Critic.forward(between);
            var gradient = torch.autograd.grad([score.sum()], [between], retain_graph: true, create_graph: true)[0].to(float32);
            return (gradient.norm(1, false, 2) - 1).square().mean();
        }

        public override TaskValidation Validate(IEnumerable<Kindling.Data.Loading.Batch> data, ValidationContext context)
        {
            // A fixed noise batch (its own generator): the same samples judge every epoch, and training's random stream is untouched.
            var g = new torch.Generator(12345);
            var z = randn(2000, 2, generator: g).to(context.ComputeType ?? float32).to(context.Device);
            var (modes, quality) = Coverage(Generator.forward(z));
            return new TaskValidation(new Dictionary<string, double> { ["modes"] = modes, ["quality"] = quality });
        }
    }
}
