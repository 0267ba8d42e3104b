using static TorchSharp.torch;

namespace Kindling.Compression.Quantization;

/// <summary>
/// Fake quantization of one activation in quantization-aware training (PyTorch's FakeQuantize): while
/// observing, each batch updates a moving-average min-max observer and is quantized with the parameters
/// it gives; otherwise the last parameters are used, frozen. Quantize-dequantize with a straight-through
/// gradient (<see cref="QuantMath.FakeQuantize"/>).
/// </summary>
public sealed class FakeQuantizer
{
    readonly IObserver observer;
    QuantParams? current;

    /// <param name="observer">The range observer (default: moving-average min-max, uint8 asymmetric).</param>
    public FakeQuantizer(IObserver? observer = null) => this.observer = observer ?? new MovingAverageMinMaxObserver();

    /// <summary>The parameters learned so far.</summary>
    /// <exception cref="InvalidOperationException">Nothing was observed yet.</exception>
    public QuantParams Params => current ?? throw new InvalidOperationException("The fake quantizer has not observed any batch: calibrate or train first.");

    /// <summary>Quantizes <paramref name="x"/>, first updating the observer when <paramref name="observe"/>.</summary>
    public Tensor Apply(Tensor x, bool observe)
    {
        if (observe)
        {
            observer.Observe(x);
            current = observer.Compute();
        }
        return QuantMath.FakeQuantize(x, Params);
    }
}
