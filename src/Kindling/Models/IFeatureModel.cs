using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>
/// A model whose trunk can be used without its classifier (timm's <c>forward_features</c> + pooling,
/// <c>num_features</c>, <c>num_classes=0</c>): every family in <see cref="ModelRegistry"/> implements it.
/// The features are exactly the tensor the final linear layer reads (timm's <c>pre_logits</c>): pooled,
/// flattened to (N, <see cref="NumFeatures"/>), with the head's dropout applied in training mode, so a headed
/// model's logits are <c>head(ForwardFeatures(x))</c>. Built with <see cref="ModelOptions.NumClasses"/> = 0
/// a model has no classifier and its forward returns these features; its trunk parameters have the same
/// names as the classifier's, so an encoder's weights load into a classifier by name.
/// </summary>
public interface IFeatureModel
{
    /// <summary>F: the width of the feature vector <see cref="ForwardFeatures"/> returns.</summary>
    long NumFeatures { get; }

    /// <summary>Classes the classifier outputs; 0 when the model was built without one (headless).</summary>
    int NumClasses { get; }

    /// <summary>The features of <paramref name="input"/>, (N, <see cref="NumFeatures"/>): what the classifier reads, or the headless forward.</summary>
    Tensor ForwardFeatures(Tensor input);
}
