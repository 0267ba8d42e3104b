using Kindling.Data.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Generative.Gan;

/// <summary>A GAN's generator: noise [N, Latent] (and, when conditional, class labels [N]) to images [N, C, H, W] in [-1, 1] (tanh).</summary>
public abstract class GanGenerator : nn.Module
{
    /// <param name="name">The module's name.</param>
    /// <param name="shape">The images' shape.</param>
    /// <param name="latent">The noise width.</param>
    /// <param name="classes">Classes it is conditioned on; 0: unconditional.</param>
    protected GanGenerator(string name, ImageShape shape, int latent, int classes) : base(name)
    {
        if (latent < 1) throw new ArgumentOutOfRangeException(nameof(latent), latent, "the latent dimension must be at least 1.");
        if (classes < 0) throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be 0 (unconditional) or more.");
        Shape = shape;
        Latent = latent;
        Classes = classes;
    }

    /// <summary>The images' shape.</summary>
    public ImageShape Shape { get; }

    /// <summary>The noise width.</summary>
    public int Latent { get; }

    /// <summary>Classes it is conditioned on; 0: unconditional.</summary>
    public int Classes { get; }

    /// <summary>Images from noise <paramref name="z"/> and, for a conditional generator, <paramref name="labels"/>.</summary>
    public abstract Tensor Generate(Tensor z, Tensor? labels);

    /// <summary>Refuses labels for an unconditional network and their absence for a conditional one.</summary>
    protected void CheckLabels(Tensor? labels)
    {
        if (Classes > 0 && labels is null) throw new ArgumentException($"{GetName()} is conditioned on {Classes} classes: give a label per sample.");
        if (Classes == 0 && labels is not null) throw new ArgumentException($"{GetName()} is unconditional: it takes no labels.");
    }
}
