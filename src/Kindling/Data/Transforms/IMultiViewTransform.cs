using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// A transform that makes several views of each sample (SimCLR's and MoCo's two augmented views, DINO's
/// crops). Given to a <see cref="Loading.DataLoader"/>, it makes the loader collate every view into its
/// own block (<see cref="Loading.Batch.Views"/>). The loader calls <see cref="ApplyView"/> once per view
/// with that view's own generator and its own copy of the sample, so the views' draws are independent
/// and an in-place transform cannot leak into the next view. Views may differ in size from each other
/// (a global and a local crop), but every sample must give view v the same shape.
/// Used as a plain <see cref="ISampleTransform"/>, it gives the first view.
/// </summary>
public interface IMultiViewTransform : ISampleTransform
{
    /// <summary>Views made of each sample (at least one).</summary>
    int ViewCount { get; }

    /// <summary>View <paramref name="view"/> (0-based) of a [C,H,W] image, drawing only from <paramref name="rng"/>, that view's generator.</summary>
    torch.Tensor ApplyView(int view, torch.Tensor image, Random rng);
}
