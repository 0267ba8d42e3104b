using TorchSharp;

namespace Kindling.Data.BatchMix;

/// <summary>
/// A mixed batch: <c>Images</c> hold <c>Lambda</c> of each sample and <c>1 - Lambda</c> of its partner; the loss is
/// <c>Lambda · loss(output, TargetsA) + (1 - Lambda) · loss(output, TargetsB)</c> (the seed's <c>mixup_criterion</c>).
/// </summary>
/// <param name="Images">Mixed images [N,C,H,W].</param>
/// <param name="TargetsA">Labels of the original samples.</param>
/// <param name="TargetsB">Labels of the partners (the permuted batch).</param>
/// <param name="Lambda">Weight of <paramref name="TargetsA"/>, in [0, 1].</param>
public sealed record MixedBatch(torch.Tensor Images, torch.Tensor TargetsA, torch.Tensor TargetsB, double Lambda)
{
    /// <summary>The lambda-weighted loss <c>Lambda · criterion(output, A) + (1 - Lambda) · criterion(output, B)</c>.</summary>
    public torch.Tensor Loss(Func<torch.Tensor, torch.Tensor, torch.Tensor> criterion, torch.Tensor output) =>
        Lambda >= 1 ? criterion(output, TargetsA) : Lambda * criterion(output, TargetsA) + (1 - Lambda) * criterion(output, TargetsB);
}
