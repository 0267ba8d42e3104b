using static TorchSharp.torch;

namespace Kindling.Losses;

/// <summary>A classification loss over logits [N, K] and integer targets [N].</summary>
public interface ILoss
{
    Tensor Forward(Tensor logits, Tensor targets);
}
