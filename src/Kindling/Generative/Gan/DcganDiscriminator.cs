using Kindling.Data.Datasets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Generative.Gan;

/// <summary>
/// Seed 004's DCGAN discriminator (1.2): four blocks of [Conv 3x3 stride 2 padding 1, LeakyReLU(0.2), Dropout2d(0.25),
/// BatchNorm2d (not in the first)] with 16, 32, 64, 128 channels, then Linear(128 * d * d, 1) without the seed's Sigmoid.
/// </summary>
/// <remarks>
/// The seed sets d = 1 ("3x3 -> 1x1"), but a stride-2 3x3 convolution with padding 1 maps a side s to ceil(s / 2): 28 -> 14 -> 7
/// -> 4 -> 2, so its Linear(128, 1) fails on 28x28 images (128 * 2 * 2 = 512 inputs). d is computed from the image side here.
/// As a WGAN-GP critic it is built without BatchNorm and dropout (batchNorm false, dropout 0):
/// the gradient penalty is a per-sample constraint that batch statistics would mix across samples (Gulrajani et al. 2017, 4).
/// With classes > 0 it is conditioned by projection (Miyato and Koyama 2018): the score adds label_proj(y) . f, with f the
/// flattened features adv_layer reads and label_proj = Embedding(classes, 128 * d * d).
/// </remarks>
public sealed class DcganDiscriminator : GanDiscriminator
{
    readonly Sequential model, adv_layer;
    readonly Embedding? label_proj;

    /// <summary>The side after the four stride-2 convolutions.</summary>
    public int FinalSide { get; }

    /// <param name="shape">The images' shape (square).</param>
    /// <param name="batchNorm">BatchNorm2d after blocks 2-4 (the seed's DCGAN); false for a WGAN-GP critic.</param>
    /// <param name="dropout">Dropout2d probability in every block (the seed's 0.25); 0 for a WGAN-GP critic.</param>
    /// <param name="batchNormEps">Eps of the BatchNorms (the seed's 0.8; PyTorch's default 1e-5 here).</param>
    /// <param name="classes">0: unconditional; more: conditioned on the label by projection.</param>
    public DcganDiscriminator(ImageShape shape, bool batchNorm = true, double dropout = 0.25, double batchNormEps = 1e-5, int classes = 0)
        : base(nameof(DcganDiscriminator), shape, classes)
    {
        if (shape.Height != shape.Width) throw new ArgumentException($"the DCGAN discriminator takes square images; the images are {shape}.");
        if (dropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout must be in [0, 1).");
        var layers = new List<nn.Module<Tensor, Tensor>>();
        int channels = shape.Channels, side = shape.Height;
        foreach (var (width, bn) in new[] { (16, false), (32, batchNorm), (64, batchNorm), (128, batchNorm) })
        {
            layers.Add(nn.Conv2d(channels, width, 3, stride: 2, padding: 1));
            layers.Add(nn.LeakyReLU(0.2));
            if (dropout > 0) layers.Add(nn.Dropout2d(dropout));
            if (bn) layers.Add(nn.BatchNorm2d(width, eps: batchNormEps));
            channels = width;
            side = (side + 1) / 2;
        }
        FinalSide = side;
        model = nn.Sequential(layers);
        adv_layer = nn.Sequential(nn.Linear(128L * side * side, 1));
        if (classes > 0)
        {
            label_proj = nn.Embedding(classes, 128L * side * side);
            // Xavier-uniform, as Miyato and Koyama's code: Embedding's default N(0, 1) against 512 BatchNorm-scaled features gives
            // logits of standard deviation ~20, which saturate the BCE from the first step (measured: d_loss 6, g_loss 9).
            using var _ = no_grad();
            nn.init.xavier_uniform_(label_proj.weight!);
        }
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor Score(Tensor images, Tensor? labels)
    {
        CheckLabels(labels);
        var features = model.forward(images);
        var flat = features.reshape(features.shape[0], -1);
        var score = adv_layer.forward(flat);
        return label_proj is null ? score : score + (label_proj.forward(labels!).to(flat.dtype) * flat).sum(1, keepdim: true);
    }
}
