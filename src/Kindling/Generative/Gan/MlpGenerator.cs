using Kindling.Data.Datasets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Generative.Gan;

/// <summary>
/// Seed 004's GAN generator (1.2), and with <c>classes</c> > 0 its ConditionalGenerator: [label_emb(labels), z] (an
/// Embedding(classes, classes) concatenated before the noise), then Linear blocks 128 (no norm), 256, 512, 1024, each
/// Linear + BatchNorm1d + LeakyReLU(0.2), and Linear(1024, C*H*W) + Tanh reshaped to the image. Parameter names are the
/// seed's (model.0.weight, label_emb.weight).
/// </summary>
/// <remarks>
/// The seed writes <c>nn.BatchNorm1d(out_feat, 0.8)</c>: PyTorch's second argument is eps, not momentum, so the seed's
/// BatchNorms divide by sqrt(var + 0.8). the batchNormEps argument defaults to PyTorch's 1e-5; pass 0.8 for the seed's.
/// </remarks>
public sealed class MlpGenerator : GanGenerator
{
    readonly Embedding? label_emb;
    readonly Sequential model;

    /// <param name="shape">The images' shape (the seed's 1x28x28).</param>
    /// <param name="latent">The noise width (the seed's 100).</param>
    /// <param name="classes">0: the seed's Generator; more: its ConditionalGenerator.</param>
    /// <param name="batchNormEps">The BatchNorm1d eps (see remarks).</param>
    public MlpGenerator(ImageShape shape, int latent = 100, int classes = 0, double batchNormEps = 1e-5) : base(nameof(MlpGenerator), shape, latent, classes)
    {
        if (classes > 0) label_emb = nn.Embedding(classes, classes);
        var layers = new List<nn.Module<Tensor, Tensor>>();
        void Block(long inputs, long outputs, bool normalize)
        {
            layers.Add(nn.Linear(inputs, outputs));
            if (normalize) layers.Add(nn.BatchNorm1d(outputs, eps: batchNormEps));
            layers.Add(nn.LeakyReLU(0.2));
        }
        Block(latent + classes, 128, normalize: false);
        Block(128, 256, normalize: true);
        Block(256, 512, normalize: true);
        Block(512, 1024, normalize: true);
        layers.Add(nn.Linear(1024, shape.Size));
        layers.Add(nn.Tanh());
        model = nn.Sequential(layers);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor Generate(Tensor z, Tensor? labels)
    {
        CheckLabels(labels);
        var input = label_emb is null ? z : cat([label_emb.forward(labels!).to(z.dtype), z], -1);
        return model.forward(input).view(z.shape[0], Shape.Channels, Shape.Height, Shape.Width);
    }
}
