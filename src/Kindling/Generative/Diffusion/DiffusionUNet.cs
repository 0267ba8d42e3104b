using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Generative.Diffusion;

/// <summary>
/// A small U-Net that predicts the noise in x_t: forward(x_t [N, C, H, W], t [N] int64 timesteps 0 .. T-1) -> [N, C, H, W].
/// One <see cref="TimeResidualBlock"/> per level on the way down (each followed by a stride-2 convolution), one at the
/// bottleneck, and one per level on the way up (nearest upsampling, then the skip concatenated), as the seed's U-Net, with
/// GroupNorm and SiLU in place of its BatchNorm and ReLU.
/// </summary>
/// <remarks>
/// Time: by default the sinusoidal embedding of t through a two-layer MLP, projected and added in every block, so every
/// resolution knows the noise level (DDPM). The seed instead maps t / T through an MLP to a <see cref="DiffusionUNetOptions.TimeDim"/>-channel
/// constant map concatenated to the input, so only the first convolution sees time; <c>time_embedding: concat</c> keeps that form.
/// </remarks>
public sealed class DiffusionUNet : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Conv2d input;
    readonly ModuleList<TimeResidualBlock> down = new(), up = new();
    readonly ModuleList<Conv2d> downsample = new();
    readonly TimeResidualBlock middle;
    readonly GroupNorm outNorm;
    readonly Conv2d output;
    readonly Sequential timeMlp;
    readonly bool concat;
    readonly int timesteps;

    /// <param name="imageChannels">Channels of the images.</param>
    /// <param name="timesteps">T (the concatenated form feeds t / T).</param>
    /// <param name="options">Width, levels and time embedding.</param>
    public DiffusionUNet(int imageChannels, int timesteps, DiffusionUNetOptions options) : base(nameof(DiffusionUNet))
    {
        if (!DiffusionUNetOptions.TimeEmbeddings.Contains(options.TimeEmbedding))
            throw new ArgumentException($"time embedding '{options.TimeEmbedding}' is not known: expected {string.Join(" or ", DiffusionUNetOptions.TimeEmbeddings)}.", nameof(options));
        if (options.ChannelMultipliers.Count < 2) throw new ArgumentException("channel multipliers: expected at least two levels (one resolution and the bottleneck).", nameof(options));
        Options = options;
        this.timesteps = timesteps;
        concat = options.TimeEmbedding == "concat";
        long c = options.Channels;
        var widths = options.ChannelMultipliers.Select(m => c * m).ToArray();
        long timeChannels = concat ? 0 : 4 * c;
        timeMlp = concat
            ? nn.Sequential(("fc1", nn.Linear(1, options.TimeDim)), ("act", nn.ReLU()), ("fc2", nn.Linear(options.TimeDim, options.TimeDim)))
            : nn.Sequential(("fc1", nn.Linear(options.TimeDim, timeChannels)), ("act", nn.SiLU()), ("fc2", nn.Linear(timeChannels, timeChannels)));
        input = nn.Conv2d(imageChannels + (concat ? options.TimeDim : 0), widths[0], 3, padding: 1);
        int levels = widths.Length;
        for (int l = 0; l < levels - 1; l++)
        {
            down.Add(new TimeResidualBlock(l == 0 ? widths[0] : widths[l - 1], widths[l], timeChannels));
            downsample.Add(nn.Conv2d(widths[l], widths[l], 3, stride: 2, padding: 1));
        }
        middle = new TimeResidualBlock(widths[levels - 2], widths[levels - 1], timeChannels);
        for (int l = 0; l < levels - 1; l++)
            up.Add(new TimeResidualBlock(widths[l + 1] + widths[l], widths[l], timeChannels));
        outNorm = TimeResidualBlock.Norm(widths[0]);
        output = nn.Conv2d(widths[0], imageChannels, 3, padding: 1);
        RegisterComponents();
    }

    /// <summary>The network's shape.</summary>
    public DiffusionUNetOptions Options { get; }

    /// <summary>How many times the image is halved: its side must be a multiple of 2 to this power.</summary>
    public int Downsamplings => Options.ChannelMultipliers.Count - 1;

    public override Tensor forward(Tensor x, Tensor t)
    {
        using var scope = NewDisposeScope();
        Tensor? embedding = null;
        var h = x;
        if (concat)
        {
            // The seed's form: an MLP of t / T, broadcast over the image and concatenated to it as TimeDim more channels.
            var map = timeMlp.forward(t.to(float32).div(timesteps).unsqueeze(-1).to(x.dtype));
            var expanded = map.view(map.shape[0], map.shape[1], 1, 1).expand(-1, -1, x.shape[2], x.shape[3]);
            h = cat([x, expanded], 1);
        }
        else embedding = nn.functional.silu(timeMlp.forward(SinusoidalTimeEmbedding.Embed(t, Options.TimeDim).to(x.dtype)));
        h = input.forward(h);
        var skips = new List<Tensor>();
        for (int l = 0; l < down.Count; l++)
        {
            h = down[l].forward(h, embedding);
            skips.Add(h);
            h = downsample[l].forward(h);
        }
        h = middle.forward(h, embedding);
        for (int l = up.Count - 1; l >= 0; l--)
        {
            h = nn.functional.interpolate(h, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
            h = up[l].forward(cat([h, skips[l]], 1), embedding);
        }
        return output.forward(nn.functional.silu(outNorm.forward(h))).MoveToOuterDisposeScope();
    }
}
