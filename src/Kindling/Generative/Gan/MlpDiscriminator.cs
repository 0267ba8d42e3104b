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
/// <remarks>
/// Other conditionings (<see cref="DiscriminatorConditioning"/>) read the image alone through the same layers: a projection adds
/// label_proj(y) . h to the score, with label_proj = Embedding(classes, 256) and h the 256 features the score is read from; an
/// auxiliary classifier (AC-GAN) adds a second head, aux_layer = Linear(256, classes), that classifies the image from h (a class
/// head beside a label input could read the answer off its input and teach the generator nothing).
/// </remarks>
public sealed class MlpDiscriminator : GanDiscriminator
{
    readonly Embedding? label_emb, label_proj;
    readonly Sequential model;
    readonly Linear? aux_layer;
    // model's layers without the last (the 256 features both heads read); not modules, so the names stay model.N.
    readonly Func<Tensor, Tensor> features;
    readonly Func<Tensor, Tensor> scoreHead;

    /// <param name="shape">The images' shape.</param>
    /// <param name="classes">0: unconditional; more: conditioned on the label (or, with an auxiliary classifier, classifying into them).</param>
    /// <param name="conditioning">How a conditional discriminator uses the label (the seed's concatenation by default).</param>
    public MlpDiscriminator(ImageShape shape, int classes = 0, DiscriminatorConditioning conditioning = DiscriminatorConditioning.Concat)
        : base(nameof(MlpDiscriminator), shape, classes)
    {
        if (conditioning == DiscriminatorConditioning.Auxiliary && classes < 2)
            throw new ArgumentException($"an auxiliary classifier needs at least two classes to tell apart; it was given {classes}.");
        bool concatLabel = classes > 0 && conditioning == DiscriminatorConditioning.Concat;
        if (concatLabel) label_emb = nn.Embedding(classes, classes);
        nn.Module<Tensor, Tensor> l0 = nn.Linear(shape.Size + (concatLabel ? classes : 0), 512), a0 = nn.LeakyReLU(0.2),
            l1 = nn.Linear(512, 256), a1 = nn.LeakyReLU(0.2), head = nn.Linear(256, 1);
        model = nn.Sequential(l0, a0, l1, a1, head);
        features = x => a1.call(l1.call(a0.call(l0.call(x))));
        scoreHead = head.call;
        if (classes > 0 && conditioning == DiscriminatorConditioning.Projection) label_proj = nn.Embedding(classes, 256);
        if (conditioning == DiscriminatorConditioning.Auxiliary) aux_layer = nn.Linear(256, classes);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override bool ClassifiesImages => aux_layer is not null;

    /// <inheritdoc/>
    public override Tensor Score(Tensor images, Tensor? labels)
    {
        CheckLabels(labels);
        // reshape, not view: a channels-last batch is not contiguous in NCHW order.
        var flat = images.reshape(images.shape[0], -1);
        if (label_proj is not null)
        {
            var h = features(flat);
            return scoreHead(h) + (label_proj.forward(labels!).to(h.dtype) * h).sum(1, keepdim: true);
        }
        return model.forward(label_emb is null ? flat : cat([flat, label_emb.forward(labels!).to(flat.dtype)], -1));
    }

    /// <inheritdoc/>
    public override (Tensor Score, Tensor ClassLogits) ScoreAndClassify(Tensor images, Tensor? labels)
    {
        if (aux_layer is null) return base.ScoreAndClassify(images, labels);
        CheckLabels(labels);
        var h = features(images.reshape(images.shape[0], -1));
        return (scoreHead(h), aux_layer.forward(h));
    }
}
