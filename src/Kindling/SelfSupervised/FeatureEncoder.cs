using Kindling.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>A classifier seen as an encoder: its forward is the classifier's features (<see cref="IFeatureModel.ForwardFeatures"/>, what its head reads), so a supervised checkpoint can be probed like a pretrained one.</summary>
public sealed class FeatureEncoder : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> model;

    /// <exception cref="ArgumentException">The model does not expose its features (not an <see cref="IFeatureModel"/>).</exception>
    public FeatureEncoder(nn.Module<Tensor, Tensor> model) : base(nameof(FeatureEncoder))
    {
        if (model is not IFeatureModel)
            throw new ArgumentException($"{model.GetType().Name} does not expose its features (IFeatureModel): it cannot be probed as an encoder.", nameof(model));
        this.model = model;
        RegisterComponents();
    }

    /// <summary>The width of the features.</summary>
    public long NumFeatures => ((IFeatureModel)model).NumFeatures;

    public override Tensor forward(Tensor input) => ((IFeatureModel)model).ForwardFeatures(input);
}
