using Kindling.Data.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Generative.Gan;

/// <summary>
/// A GAN's discriminator (a WGAN's critic): images [N, C, H, W] (and, when conditional, labels [N]) to one raw score per
/// image, [N, 1]. No sigmoid: the BCE loss takes the scores as logits (the seed's Sigmoid + BCELoss, computed stably), and a
/// Wasserstein critic must not have one.
/// </summary>
public abstract class GanDiscriminator : nn.Module
{
    /// <param name="name">The module's name.</param>
    /// <param name="shape">The images' shape.</param>
    /// <param name="classes">Classes it is conditioned on; 0: unconditional.</param>
    protected GanDiscriminator(string name, ImageShape shape, int classes) : base(name)
    {
        if (classes < 0) throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be 0 (unconditional) or more.");
        Shape = shape;
        Classes = classes;
    }

    /// <summary>The images' shape.</summary>
    public ImageShape Shape { get; }

    /// <summary>Classes it is conditioned on; 0: unconditional.</summary>
    public int Classes { get; }

    /// <summary>One raw score per image (a logit for BCE, a critic value for Wasserstein): [N, 1].</summary>
    public abstract Tensor Score(Tensor images, Tensor? labels);

    /// <summary>Whether it also classifies the images it scores (an AC-GAN discriminator, <see cref="ScoreAndClassify"/>).</summary>
    public virtual bool ClassifiesImages => false;

    /// <summary>The score and, from the same forward pass, class logits [N, Classes] read from the image alone (AC-GAN).</summary>
    public virtual (Tensor Score, Tensor ClassLogits) ScoreAndClassify(Tensor images, Tensor? labels) =>
        throw new NotSupportedException($"{GetName()} does not classify images: it has no auxiliary classifier.");

    /// <summary>Refuses labels for an unconditional network and their absence for a conditional one.</summary>
    protected void CheckLabels(Tensor? labels)
    {
        if (Classes > 0 && labels is null) throw new ArgumentException($"{GetName()} is conditioned on {Classes} classes: give a label per sample.");
        if (Classes == 0 && labels is not null) throw new ArgumentException($"{GetName()} is unconditional: it takes no labels.");
    }
}
