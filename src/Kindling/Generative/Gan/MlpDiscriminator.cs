using Kindling.Data.Datasets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Generative.Gan;

/// <summary>
/// Seed 004's GAN discriminator (1.2): the flattened image through Linear 512, LeakyReLU(0.2), Linear 256, LeakyReLU(0.2),
/// Linear 1, without the seed's final Sigmoid (the loss applies it: BCE with logits). With <c>classes</c> > 0 (the cGAN; the
/// seed shows only the conditional generator) the label's embedding, Embedding(classes, classes), is concatenated to the
/// flattened image, as the generator does with the noise.
/// </summary>
public sealed class MlpDiscriminator : GanDiscriminator
{
    readonly Embedding? label_emb;
    readonly Sequential model;

    /// <param name="shape">The images' shape.</param>
    /// <param name="classes">0: unconditional; more: conditioned on the label.</param>
    public MlpDiscriminator(ImageShape shape, int classes = 0) : base(nameof(MlpDiscriminator), shape, classes)
    {
        if (classes > 0) label_emb = nn.Embedding(classes, classes);
        model = nn.Sequential(
            nn.Linear(shape.Size + classes, 512), nn.LeakyReLU(0.2),
            nn.Linear(512, 256), nn.LeakyReLU(0.2),
            nn.Linear(256, 1));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor Score(Tensor images, Tensor? labels)
    {
        CheckLabels(labels);
        // reshape, not view: a channels-last batch is not contiguous in NCHW order.
        var flat = images.reshape(images.shape[0], -1);
        return model.forward(label_emb is null ? flat : cat([flat, label_emb.forward(labels!).to(flat.dtype)], -1));
    }
}
