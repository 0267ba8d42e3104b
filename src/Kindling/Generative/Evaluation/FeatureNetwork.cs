using Kindling.Data.Datasets;
using Kindling.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Generative.Evaluation;

/// <summary>
/// The classifier whose penultimate-layer features FID compares (and whose predictions class coverage counts): a trained
/// registry model with its normalize and the image shape it takes. <see cref="Description"/> names it, because an FID
/// is only comparable with FIDs from the same feature network.
/// </summary>
public sealed class FeatureNetwork : IDisposable
{
    readonly nn.Module<Tensor, Tensor> model;
    readonly IFeatureModel features;
    readonly double[] mean, std;

    /// <param name="model">A classifier that is also an <see cref="IFeatureModel"/> (every registry model is).</param>
    /// <param name="classes">Its class names.</param>
    /// <param name="shape">The images it takes.</param>
    /// <param name="mean">Its normalize mean per channel (it reads pixels in [0, 1] normalized by these).</param>
    /// <param name="std">Its normalize std per channel.</param>
    /// <param name="description">What it is and where it came from (a checkpoint path, its test accuracy): printed beside every FID.</param>
    public FeatureNetwork(nn.Module<Tensor, Tensor> model, IReadOnlyList<string> classes, ImageShape shape, IReadOnlyList<double> mean, IReadOnlyList<double> std, string description)
    {
        features = model as IFeatureModel ?? throw new ArgumentException($"the feature network must expose its penultimate features (IFeatureModel); {model.GetType().Name} does not.", nameof(model));
        if (features.NumClasses != classes.Count)
            throw new ArgumentException($"the feature network has {features.NumClasses} outputs but {classes.Count} class names.", nameof(classes));
        this.model = model;
        Classes = classes;
        Shape = shape;
        this.mean = [.. mean];
        this.std = [.. std];
        Description = description;
    }

    /// <summary>Its class names.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>The images it takes.</summary>
    public ImageShape Shape { get; }

    /// <summary>Which network this is: printed with every FID.</summary>
    public string Description { get; }

    /// <summary>Width of the features.</summary>
    public long Width => features.NumFeatures;

    /// <summary>Refuses images of another shape than the network's, naming both.</summary>
    public void RequireShape(ImageShape images, string what)
    {
        if (images != Shape)
            throw new ArgumentException($"{what} are {images} but the FID feature network ({Description}) takes {Shape}: use a feature classifier trained on images of this shape (--classifier CKPT).");
    }

    /// <summary>Features [N, F] (float64) and class probabilities [N, K] of pixels [N, C, H, W] in [0, 1], in batches.</summary>
    public (Tensor Features, Tensor Probabilities) Measure(Tensor pixels, int batchSize = 500)
    {
        RequireShape(new ImageShape((int)pixels.shape[1], (int)pixels.shape[2], (int)pixels.shape[3]), "the images");
        var device = model.parameters().First().device;
        using var modes = new ModuleModes([model]);
        using var _ = inference_mode();
        var f = new List<Tensor>();
        var p = new List<Tensor>();
        try
        {
            for (long first = 0; first < pixels.shape[0]; first += batchSize)
            {
                using var scope = NewDisposeScope();
                var x = pixels.narrow(0, first, Math.Min(batchSize, pixels.shape[0] - first)).to(float32).to(device);
                var m = tensor(mean, dtype: float32, device: device).view(1, -1, 1, 1);
                var s = tensor(std, dtype: float32, device: device).view(1, -1, 1, 1);
                var normalized = (x - m) / s;
                f.Add(features.ForwardFeatures(normalized).to(float64).cpu().MoveToOuterDisposeScope());
                p.Add(model.forward(normalized).to(float32).softmax(1).cpu().MoveToOuterDisposeScope());
            }
            return (cat(f, 0), cat(p, 0));
        }
        finally
        {
            foreach (var t in f.Concat(p)) t.Dispose();
        }
    }

    public void Dispose() => model.Dispose();
}
