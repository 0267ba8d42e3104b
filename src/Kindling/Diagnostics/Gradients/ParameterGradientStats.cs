namespace Kindling.Diagnostics.Gradients;

/// <summary>One parameter's gradient over an epoch's optimizer steps (seed 004, 8.1 "check gradients").</summary>
/// <param name="Name">The parameter's name in the model (e.g. features.block1.conv1.weight).</param>
/// <param name="GradNormMean">Mean L2 norm of its gradient over the steps where it was finite.</param>
/// <param name="GradNormMax">Largest finite gradient norm.</param>
/// <param name="GradMeanAbs">Mean over the steps of mean |grad| (the seeds' per-parameter number).</param>
/// <param name="WeightNorm">L2 norm of the weights before the epoch's last update.</param>
/// <param name="Steps">Optimizer steps seen.</param>
/// <param name="NoGradSteps">Steps where it had no gradient at all ("No gradient!").</param>
/// <param name="NonFiniteSteps">Steps where its gradient held NaN or Inf.</param>
public sealed record ParameterGradientStats(string Name, double GradNormMean, double GradNormMax, double GradMeanAbs, double WeightNorm,
    int Steps, int NoGradSteps, int NonFiniteSteps)
{
    /// <summary>Gradient norm over weight norm: about lr times this is the relative update per step.</summary>
    public double GradToWeight => WeightNorm > 0 ? GradNormMean / WeightNorm : double.NaN;
}
