using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Generative.PixelCnn;

/// <summary>
/// PixelCNN as a task: the batches' pixels (the recipe's normalize undone, quantized to <see cref="PixelCnnOptions.Levels"/>
/// levels) are both the input (scaled to [0, 1], as the seed feeds its samples) and the target of a softmax over the levels
/// per pixel and channel. The loss is the mean negative log-likelihood in nats per dimension; train_bits_per_dim and
/// val_bits_per_dim are the same in bits (divided by ln 2), the number papers report. Samples are drawn pixel by pixel in
/// raster order.
/// </summary>
public sealed class PixelCnnTask : TrainingTask, IImageGenerator
{
    readonly double[] mean, std;

    /// <param name="network">The PixelCNN.</param>
    /// <param name="shape">The images' shape (what <see cref="Generate"/> draws).</param>
    /// <param name="mean">The recipe's normalize mean per channel (the batches are (pixels - mean) / std).</param>
    /// <param name="std">The recipe's normalize std per channel.</param>
    public PixelCnnTask(PixelCnnNetwork network, ImageShape shape, IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        if (mean.Count != shape.Channels || std.Count != shape.Channels)
            throw new ArgumentException($"the images have {shape.Channels} channels, but the normalization has {mean.Count} means and {std.Count} stds.");
        pixelCnn = network;
        Shape = shape;
        this.mean = [.. mean];
        this.std = [.. std];
    }

    readonly PixelCnnNetwork pixelCnn;

    /// <summary>The PixelCNN (the base class's <see cref="TrainingTask.Network"/> is the set of all modules).</summary>
    public PixelCnnNetwork PixelCnn => pixelCnn;

    /// <summary>The shape of the images it models.</summary>
    public ImageShape Shape { get; }

    int Levels => pixelCnn.Options.Levels;

    public override IReadOnlyList<(string Name, nn.Module Module)> Modules => [("pixelcnn", pixelCnn)];

    /// <summary>The task's metrics: the loss in nats per dimension and the same in bits, on both splits.</summary>
    public static IReadOnlyList<MetricSpec> MetricSpecs { get; } =
        [MetricSpec.Min("train_loss"), MetricSpec.Min("train_bits_per_dim"), MetricSpec.Min("val_loss"), MetricSpec.Min("val_bits_per_dim")];

    public override IReadOnlyList<MetricSpec> Metrics => MetricSpecs;

    public override MetricSpec DefaultMonitor => MetricSpec.Min("val_bits_per_dim");

    /// <summary>Unconditional.</summary>
    public int ConditionalClasses => 0;

    /// <summary>The batch's pixels as integer levels 0 .. Levels - 1 ([N, C, H, W], int64): the recipe's normalize undone.</summary>
    public Tensor ToLevels(Tensor images)
    {
        using var scope = NewDisposeScope();
        int c = (int)images.shape[1];
        var m = tensor(mean, dtype: float32, device: images.device).view(1, c, 1, 1);
        var s = tensor(std, dtype: float32, device: images.device).view(1, c, 1, 1);
        var pixels = images.to(float32) * s + m;
        return (pixels * (Levels - 1)).round_().clamp_(0, Levels - 1).to(int64).MoveToOuterDisposeScope();
    }

    /// <summary>Sum of the negative log-likelihoods (nats) of <paramref name="images"/> and the number of dimensions.</summary>
    Tensor Nll(Tensor images, Func<Tensor, Tensor> input, out Tensor target, string reduction)
    {
        target = ToLevels(images).to(images.device);
        var x = input(target.to(float32).div_(Levels - 1));
        var logits = pixelCnn.forward(x).to(float32);
        return nn.functional.cross_entropy(logits, target, reduction: reduction == "sum" ? nn.Reduction.Sum : nn.Reduction.Mean);
    }

    public override Tensor TrainingStep(Batch batch, StepContext step)
    {
        var loss = Nll(step.ToDevice(batch.Images), step.Input, out _, "mean");
        step.Log("bits_per_dim", loss.item<float>() / Math.Log(2), batch.Count);
        return loss;
    }

    public override TaskValidation Validate(IEnumerable<Batch> data, ValidationContext context)
    {
        double nats = 0;
        long dims = 0;
        foreach (var batch in ValidationContext.Batches(data))
        {
            var sum = Nll(batch.Images.to(context.Device), context.Input, out var target, "sum");
            nats += sum.to(float64).item<double>();
            dims += target.numel();
        }
        if (dims == 0) throw new InvalidOperationException("the validation split yielded no batches: nothing to measure.");
        return new TaskValidation(new Dictionary<string, double> { ["loss"] = nats / dims, ["bits_per_dim"] = nats / dims / Math.Log(2) });
    }

    /// <summary>
    /// Draws images pixel by pixel in raster order (and every channel of a pixel at once): for each position, one forward pass of
    /// the rows up to it (the masks make later rows irrelevant, so they are not computed), a softmax over the levels, and a draw
    /// by inverting its cumulative sum at a uniform number from the image's own generator. H x W forward passes per batch.
    /// </summary>
    public Tensor Generate(int count, GenerationOptions options)
    {
        if (options.Class is not null) throw new ArgumentException($"PixelCNN is unconditional: it cannot draw class {options.Class}; leave the class out.");
        if (options.Steps is not null) throw new ArgumentException("PixelCNN samples one pixel at a time (H x W steps): there is no step count to choose; leave steps out.");
        if (count < 0) throw new ArgumentException($"count {count}: expected >= 0.");
        if (options.BatchSize < 1) throw new ArgumentException($"batch size {options.BatchSize}: expected >= 1.");
        var device = pixelCnn.parameters().First().device;
        using var modes = new ModuleModes([pixelCnn]);
        using var _ = inference_mode();
        var chunks = new List<Tensor>();
        try
        {
            for (int first = 0; first < count; first += options.BatchSize)
                chunks.Add(GenerateChunk(first, Math.Min(options.BatchSize, count - first), options.Seed, device));
            var pixels = chunks.Count == 0 ? zeros(0, Shape.Channels, Shape.Height, Shape.Width) : cat(chunks, 0);
            using (pixels)
            {
                var m = tensor(mean, dtype: float32).view(1, Shape.Channels, 1, 1);
                var s = tensor(std, dtype: float32).view(1, Shape.Channels, 1, 1);
                using (m)
                using (s)
                    return (pixels - m).div_(s);
            }
        }
        finally
        {
            foreach (var c in chunks) c.Dispose();
        }
    }

    Tensor GenerateChunk(int first, int n, long seed, Device device)
    {
        using var scope = NewDisposeScope();
        var generators = SampleNoise.Generators(seed, "pixelcnn-sample", first, n);
        Tensor uniforms;
        try
        {
            // Every draw this image will need, from its own generator: [n, H, W, C].
            uniforms = SampleNoise.Uniform(generators, [Shape.Height, Shape.Width, Shape.Channels]).to(device);
        }
        finally
        {
            SampleNoise.Dispose(generators);
        }
        var x = zeros(n, Shape.Channels, Shape.Height, Shape.Width, device: device);
        for (int i = 0; i < Shape.Height; i++)
            for (int j = 0; j < Shape.Width; j++)
            {
                using var step = NewDisposeScope();
                var logits = pixelCnn.forward(x[.., .., ..(i + 1), ..])[.., .., .., i, j].to(float64);   // [n, levels, C]
                var cdf = logits.softmax(1).cumsum(1);
                var u = uniforms[.., i, j, ..].unsqueeze(1);                                            // [n, 1, C]
                var level = cdf.lt(u).sum(1).clamp_(0, Levels - 1);                                      // [n, C]
                x[.., .., i, j] = level.to(float32).div_(Levels - 1);
            }
        return x.cpu().MoveToOuterDisposeScope();
    }
}
