using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>
/// A task that pretrains an encoder without labels (SimCLR, MoCo, MAE): what the kNN and linear probes, the kNN monitor and
/// fine-tuning (<c>model.pretrained</c>) read, whatever the method.
/// </summary>
public interface IPretrainedEncoder
{
    /// <summary>
    /// The encoder alone (no projection head, no decoder): images [N, C, H, W], in the space of the training batches, to
    /// features [N, <see cref="FeatureCount"/>]. A registry model's encoder keeps the registry's parameter names, so a
    /// classifier of the same model can start from it.
    /// </summary>
    nn.Module<Tensor, Tensor> Encoder { get; }

    /// <summary>The width of the encoder's features.</summary>
    long FeatureCount { get; }
}
