using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>
/// SimCLR's and MoCo v2's projection head: Linear(features, hidden), ReLU, Linear(hidden, projection), as in the seed
/// (hidden = the encoder's width there). The contrastive loss sees its output; the probes and fine-tuning use the
/// encoder's features before it.
/// </summary>
public sealed class ProjectionHead : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Linear fc1;
    readonly TorchSharp.Modules.Linear fc2;

    public ProjectionHead(long features, long hidden, long projection) : base(nameof(ProjectionHead))
    {
        if (features < 1 || hidden < 1 || projection < 1)
            throw new ArgumentOutOfRangeException(nameof(features), $"projection head widths must be >= 1; got {features} -> {hidden} -> {projection}.");
        fc1 = nn.Linear(features, hidden);
        fc2 = nn.Linear(hidden, projection);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return fc2.forward(nn.functional.relu(fc1.forward(input))).MoveToOuterDisposeScope();
    }
}
