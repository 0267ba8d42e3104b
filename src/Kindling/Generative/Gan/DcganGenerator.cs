using Kindling.Data.Datasets;
using Kindling.Models.Blocks;
using Kindling.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Generative.Gan;

/// <summary>
/// Seed 004's DCGAN generator (1.2): Linear(latent, 128 * s * s) with s = side / 4 (the seed's 7 for 28x28), reshaped to
/// 128 x s x s; BatchNorm2d(128); [Upsample x2 (nearest), Conv 3x3 128->128, BatchNorm2d, LeakyReLU(0.2)];
/// [Upsample x2, Conv 3x3 128->64, BatchNorm2d, LeakyReLU(0.2)]; Conv 3x3 64->C; Tanh. Upsampling and a convolution
/// rather than transposed convolutions (the seed's docstring says transposed; its code does not), which avoids their
/// checkerboard artefacts. Parameter names are the seed's (l1.0.weight, conv_blocks.2.weight).
/// </summary>
/// <remarks>
/// The seed's second and third BatchNorms are <c>BatchNorm2d(n, 0.8)</c>, eps 0.8 (see <see cref="MlpGenerator"/>);
/// the batchNormEps argument (default PyTorch's 1e-5) is used for both; the first keeps PyTorch's default as in the seed.
/// With classes > 0 the generator reads [Embedding(classes, classes)(label), z], as the seed's ConditionalGenerator does.
/// Each [Upsample, Conv] pair runs as one transposed convolution (<see cref="NearestUpsampleConv"/>) unless fuseUpsampleConv is
/// false: the same function and parameters, about twice as fast on the CPU.
/// </remarks>
public sealed class DcganGenerator : GanGenerator
{
    readonly Embedding? label_emb;
    readonly Sequential l1, conv_blocks;
    readonly int initSize;
    // conv_blocks' layers in order, each upsample-conv pair as one step when fused; not modules, so the parameters keep
    // conv_blocks' names (and checkpoints) either way.
    readonly Func<Tensor, Tensor>[] stages;
    // Not a Tensor field: RegisterComponents would register it as a buffer and change the checkpoint's names.
    readonly Func<bool> weightsChannelsLast;

    /// <param name="shape">The images' shape; height and width equal and divisible by 4.</param>
    /// <param name="latent">The noise width (the seed's 100).</param>
    /// <param name="batchNormEps">Eps of the two BatchNorms the seed gives 0.8.</param>
    /// <param name="fuseUpsampleConv">Run each upsample-conv pair as one transposed convolution (float rounding apart, the same result).</param>
    /// <param name="classes">0: unconditional; more: conditioned on the label, whose embedding is concatenated before the noise.</param>
    public DcganGenerator(ImageShape shape, int latent = 100, double batchNormEps = 1e-5, bool fuseUpsampleConv = true, int classes = 0)
        : base(nameof(DcganGenerator), shape, latent, classes)
    {
        if (shape.Height != shape.Width || shape.Height % 4 != 0)
            throw new ArgumentException($"the DCGAN generator upsamples a square map twice, so it needs square images with a side divisible by 4; the images are {shape}.");
        initSize = shape.Height / 4;
        if (classes > 0) label_emb = nn.Embedding(classes, classes);
        l1 = nn.Sequential(nn.Linear(latent + classes, 128L * initSize * initSize));
        Conv2d up1 = nn.Conv2d(128, 128, 3, stride: 1, padding: 1), up2 = nn.Conv2d(128, 64, 3, stride: 1, padding: 1);
        Upsample upsample1 = nn.Upsample(scale_factor: [2, 2]), upsample2 = nn.Upsample(scale_factor: [2, 2]);
        nn.Module<Tensor, Tensor> norm0 = nn.BatchNorm2d(128), norm1 = nn.BatchNorm2d(128, eps: batchNormEps), act1 = nn.LeakyReLU(0.2),
            norm2 = nn.BatchNorm2d(64, eps: batchNormEps), act2 = nn.LeakyReLU(0.2), toImage = nn.Conv2d(64, shape.Channels, 3, stride: 1, padding: 1),
            tanh = nn.Tanh();
        conv_blocks = nn.Sequential(norm0, upsample1, up1, norm1, act1, upsample2, up2, norm2, act2, toImage, tanh);
        weightsChannelsLast = () => ChannelsLast.Is(up1.weight!);
        stages = fuseUpsampleConv
            ? [norm0.call, x => NearestUpsampleConv.Forward(x, up1), norm1.call, act1.call, x => NearestUpsampleConv.Forward(x, up2), norm2.call,
                act2.call, toImage.call, tanh.call]
            : [conv_blocks.call];
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor Generate(Tensor z, Tensor? labels)
    {
        CheckLabels(labels);
        var input = label_emb is null ? z : cat([label_emb.forward(labels!).to(z.dtype), z], -1);
        var x = l1.forward(input).view(z.shape[0], 128, initSize, initSize);
        // The Linear's output viewed as a map is NCHW; when the convolutions' weights are channels-last (the trainer's
        // channels_last), give the map their layout once here, or every layer after it reorders (measured: 20% of the step).
        if (weightsChannelsLast()) x = ChannelsLast.Of(x);
        foreach (var stage in stages) x = stage(x);
        return x;
    }
}
