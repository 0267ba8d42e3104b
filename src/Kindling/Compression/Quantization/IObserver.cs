using static TorchSharp.torch;

namespace Kindling.Compression.Quantization;

/// <summary>Watches the values a tensor takes (over calibration or training batches) and turns them into quantization parameters.</summary>
public interface IObserver
{
    /// <summary>Records one batch of values.</summary>
    void Observe(Tensor x);

    /// <summary>Whether anything was observed yet.</summary>
    bool HasObserved { get; }

    /// <summary>Parameters for what was observed.</summary>
    /// <exception cref="InvalidOperationException">Nothing was observed.</exception>
    QuantParams Compute();
}
