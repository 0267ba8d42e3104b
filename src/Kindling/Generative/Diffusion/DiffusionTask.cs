using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Generative.Diffusion;

/// <summary>
/// A denoising diffusion model (DDPM, Ho et al. 2020) as a task: each step draws t uniformly from 0 .. T-1 and Gaussian noise,
/// makes x_t = sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) noise from the batch (in the recipe's normalized space: with
/// mean 0.5 and std 0.5, pixels in [-1, 1] as DDPM wants), and trains the U-Net to predict the noise (mean squared error).
/// val_loss is the same error on the validation split with timesteps and noise drawn from fixed seeds (batch by batch),
/// so it is comparable across epochs. Sampling: DDIM (Song et al. 2021) in a few steps by default, or DDPM's ancestral
/// sampler over all T steps.
/// </summary>
public sealed class DiffusionTask : TrainingTask, IImageGenerator
{
    readonly DiffusionUNet unet;
    readonly double[] mean, std;

    /// <param name="unet">The noise predictor.</param>
    /// <param name="schedule">The noise schedule (its T is the U-Net's).</param>
    /// <param name="shape">The images' shape.</param>
    /// <param name="mean">The recipe's normalize mean per channel.</param>
    /// <param name="std">The recipe's normalize std per channel.</param>
    /// <param name="sampling">The default sampler.</param>
    public DiffusionTask(DiffusionUNet unet, NoiseSchedule schedule, ImageShape shape, IReadOnlyList<double> mean, IReadOnlyList<double> std, DiffusionSampling? sampling = null)
    {
        if (mean.Count != shape.Channels || std.Count != shape.Channels)
            throw new ArgumentException($"the images have {shape.Channels} channels, but the normalization has {mean.Count} means and {std.Count} stds.");
        int factor = 1 << unet.Downsamplings;
        if (shape.Height % factor != 0 || shape.Width % factor != 0)
            throw new ArgumentException($"the U-Net halves the image {unet.Downsamplings} times, so its sides must be multiples of {factor}; the images are {shape}.");
        this.unet = unet;
        Schedule = schedule;
        Shape = shape;
        this.mean = [.. mean];
        this.std = [.. std];
        Sampling = sampling ?? new DiffusionSampling();
        if (!DiffusionSampling.Samplers.Contains(Sampling.Sampler))
            throw new ArgumentException($"sampler '{Sampling.Sampler}' is not known: expected {string.Join(" or ", DiffusionSampling.Samplers)}.", nameof(sampling));
        schedule.DdimTimesteps(Sampling.Steps);
    }

    /// <summary>The noise predictor.</summary>
    public DiffusionUNet UNet => unet;

    /// <summary>The noise schedule.</summary>
    public NoiseSchedule Schedule { get; }

    /// <summary>The images' shape.</summary>
    public ImageShape Shape { get; }

    /// <summary>The default sampler.</summary>
    public DiffusionSampling Sampling { get; }

    /// <summary>Unconditional.</summary>
    public int ConditionalClasses => 0;

    public override IReadOnlyList<(string Name, nn.Module Module)> Modules => [("unet", unet)];

    /// <summary>The task's metrics.</summary>
    public static IReadOnlyList<MetricSpec> MetricSpecs { get; } = [MetricSpec.Min("train_loss"), MetricSpec.Min("val_loss")];

    public override IReadOnlyList<MetricSpec> Metrics => MetricSpecs;

    public override MetricSpec DefaultMonitor => MetricSpec.Min("val_loss");

    /// <summary>x_t = sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) noise, per sample's t.</summary>
    public Tensor AddNoise(Tensor x0, Tensor noise, Tensor t)
    {
        using var scope = NewDisposeScope();
        var alphaBar = tensor(Schedule.AlphasCumprod, dtype: float64, device: x0.device).index_select(0, t).to(float32).view(-1, 1, 1, 1);
        return (alphaBar.sqrt() * x0.to(float32) + (1 - alphaBar).sqrt() * noise).MoveToOuterDisposeScope();
    }

    Tensor NoiseLoss(Tensor x0, Tensor t, Tensor noise, Func<Tensor, Tensor> input, nn.Reduction reduction)
    {
        var xt = input(AddNoise(x0, noise, t));
        return nn.functional.mse_loss(unet.forward(xt, t).to(float32), noise, reduction);
    }

    public override Tensor TrainingStep(Batch batch, StepContext step)
    {
        // The global generator, as the seed draws them: its state is in every checkpoint, so a resumed run draws the same.
        var x0 = step.ToDevice(batch.Images).to(float32);
        var t = randint(0, Schedule.Timesteps, [x0.shape[0]], dtype: int64).to(step.Device);
        var noise = randn_like(x0);
        return NoiseLoss(x0, t, noise, step.Input, nn.Reduction.Mean);
    }

    public override TaskValidation Validate(IEnumerable<Batch> data, ValidationContext context)
    {
        double sum = 0;
        long elements = 0;
        int index = 0;
        foreach (var batch in ValidationContext.Batches(data))
        {
            // Fixed draws per batch: every epoch measures the same timesteps and noise.
            using var generator = new Generator((ulong)(0x5eed_0000 + index++));
            var x0 = batch.Images.to(float32);
            var t = randint(0, Schedule.Timesteps, [x0.shape[0]], dtype: int64, generator: generator);
            var noise = randn(x0.shape, generator: generator);
            var loss = NoiseLoss(x0.to(context.Device), t.to(context.Device), noise.to(context.Device), context.Input, nn.Reduction.Sum);
            sum += loss.to(float64).item<double>();
            elements += x0.numel();
        }
        if (elements == 0) throw new InvalidOperationException("the validation split yielded no batches: nothing to measure.");
        return new TaskValidation(new Dictionary<string, double> { ["loss"] = sum / elements });
    }

    /// <summary>
    /// <paramref name="count"/> images by the recipe's sampler: DDIM with <see cref="GenerationOptions.Steps"/> steps (default
    /// <see cref="DiffusionSampling.Steps"/>), or ancestral sampling over all T steps (which takes no step count other than T).
    /// Image i's noise comes from its own generator, so the result does not depend on the batch size.
    /// </summary>
    public Tensor Generate(int count, GenerationOptions options)
    {
        if (options.Class is not null) throw new ArgumentException($"this diffusion model is unconditional: it cannot draw class {options.Class}; leave the class out.");
        if (count < 0) throw new ArgumentException($"count {count}: expected >= 0.");
        if (options.BatchSize < 1) throw new ArgumentException($"batch size {options.BatchSize}: expected >= 1.");
        if (Sampling.Sampler == "ancestral")
        {
            if (options.Steps is { } s && s != Schedule.Timesteps)
                throw new ArgumentException($"the ancestral sampler takes all {Schedule.Timesteps} steps, not {s}; sample with DDIM (diffusion.sampler: ddim) for fewer.");
            return Sample(count, options.Seed, options.BatchSize, null, 1.0);
        }
        int steps = options.Steps ?? Sampling.Steps;
        Schedule.DdimTimesteps(steps);
        return Sample(count, options.Seed, options.BatchSize, steps, Sampling.Eta);
    }

    /// <summary>DDPM's ancestral sampling over all T steps.</summary>
    public Tensor SampleAncestral(int count, long seed, int batchSize = 256) => Sample(count, seed, batchSize, null, 1.0);

    /// <summary>DDIM sampling in <paramref name="steps"/> steps; eta 0 is deterministic given the seed's start noise.</summary>
    public Tensor SampleDdim(int count, long seed, int steps, double eta = 0, int batchSize = 256)
    {
        Schedule.DdimTimesteps(steps);
        if (eta < 0) throw new ArgumentException($"eta {eta}: expected >= 0.", nameof(eta));
        return Sample(count, seed, batchSize, steps, eta);
    }

    // steps null: ancestral.
    Tensor Sample(int count, long seed, int batchSize, int? steps, double eta)
    {
        var device = unet.parameters().First().device;
        using var modes = new ModuleModes([unet]);
        using var _ = inference_mode();
        var chunks = new List<Tensor>();
        try
        {
            for (int first = 0; first < count; first += batchSize)
                chunks.Add(SampleChunk(first, Math.Min(batchSize, count - first), seed, steps, eta, device));
            return chunks.Count == 0 ? zeros(0, Shape.Channels, Shape.Height, Shape.Width) : cat(chunks, 0);
        }
        finally
        {
            foreach (var c in chunks) c.Dispose();
        }
    }

    Tensor SampleChunk(int first, int n, long seed, int? steps, double eta, Device device)
    {
        using var scope = NewDisposeScope();
        var generators = SampleNoise.Generators(seed, "diffusion-sample", first, n);
        try
        {
            long[] shape = [Shape.Channels, Shape.Height, Shape.Width];
            var x = SampleNoise.Normal(generators, shape).to(device);
            var (low, high) = DataRange(device);
            if (steps is null)
            {
                for (int t = Schedule.Timesteps - 1; t >= 0; t--)
                {
                    using var step = NewDisposeScope();
                    var x0 = PredictX0(x, t, low, high, out _);
                    var next = Schedule.PosteriorCoefX0[t] * x0 + Schedule.PosteriorCoefXt[t] * x;
                    if (t > 0) next = next + Math.Sqrt(Schedule.PosteriorVariance[t]) * SampleNoise.Normal(generators, shape).to(device);
                    x = next.MoveToOuterDisposeScope();
                }
            }
            else
            {
                var sequence = Schedule.DdimTimesteps(steps.Value);
                for (int k = sequence.Length - 1; k >= 0; k--)
                {
                    using var step = NewDisposeScope();
                    int t = sequence[k];
                    double alphaBar = Schedule.AlphasCumprod[t];
                    double previous = k == 0 ? 1.0 : Schedule.AlphasCumprod[sequence[k - 1]];
                    var x0 = PredictX0(x, t, low, high, out var eps);
                    // Song et al. (2021) eq. 12 and 16: sigma = eta * sqrt((1 - a_prev) / (1 - a_t)) * sqrt(1 - a_t / a_prev).
                    double sigma = eta * Math.Sqrt((1 - previous) / (1 - alphaBar)) * Math.Sqrt(1 - alphaBar / previous);
                    var next = Math.Sqrt(previous) * x0 + Math.Sqrt(Math.Max(1 - previous - sigma * sigma, 0)) * eps;
                    if (sigma > 0) next = next + sigma * SampleNoise.Normal(generators, shape).to(device);
                    x = next.MoveToOuterDisposeScope();
                }
            }
            return x.cpu().MoveToOuterDisposeScope();
        }
        finally
        {
            SampleNoise.Dispose(generators);
        }
    }

    // The U-Net's noise prediction at step t and the x_0 it implies, clipped to the data's range when the sampling says so.
    Tensor PredictX0(Tensor x, int t, Tensor low, Tensor high, out Tensor eps)
    {
        double alphaBar = Schedule.AlphasCumprod[t];
        using var timesteps = full([x.shape[0]], t, dtype: int64, device: x.device);
        eps = unet.forward(x, timesteps).to(float32);
        var x0 = (x - Math.Sqrt(1 - alphaBar) * eps) / Math.Sqrt(alphaBar);
        if (!Sampling.ClipDenoised) return x0;
        x0 = x0.clamp(low, high);
        // The noise consistent with the clipped x_0 (as diffusers' DDIM does), so the step stays on the line between them.
        eps = (x - Math.Sqrt(alphaBar) * x0) / Math.Sqrt(1 - alphaBar);
        return x0;
    }

    // Pixels 0 and 1 through the recipe's normalize, per channel ([1, C, 1, 1]).
    (Tensor Low, Tensor High) DataRange(Device device)
    {
        var m = tensor(mean, dtype: float32, device: device).view(1, -1, 1, 1);
        var s = tensor(std, dtype: float32, device: device).view(1, -1, 1, 1);
        return ((0 - m) / s, (1 - m) / s);
    }
}
