namespace Kindling.Bench;

/// <summary>
/// One benchmark case as `kindling bench train|eval|data|e2e` takes it; the PyTorch reference
/// (bench/reference/bench.py) takes the same flags, so the two sides run the same case.
/// </summary>
public sealed record BenchSettings
{
    /// <summary>Model: seed-cnn, resnet18 (CIFAR stem) or fastnet (width 0.5); see <see cref="BenchModels"/>.</summary>
    public string Model { get; init; } = "seed-cnn";

    /// <summary>Images per step.</summary>
    public int Batch { get; init; } = 128;

    /// <summary>Intra-op threads (torch.set_num_threads); 0 leaves libtorch's default.</summary>
    public int Threads { get; init; }

    /// <summary>Timed steps (train, eval, data) after <see cref="Warmup"/> untimed ones.</summary>
    public int Steps { get; init; } = 20;

    /// <summary>Untimed steps first: oneDNN creates and caches its primitives on first use of each shape.</summary>
    public int Warmup { get; init; } = 3;

    /// <summary>Timed epochs over the data file (e2e).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Classes of the model's head (CIFAR-10: 10).</summary>
    public int Classes { get; init; } = 10;

    /// <summary>NHWC weights and inputs (channels-last), which selects oneDNN's NHWC kernels.</summary>
    public bool ChannelsLast { get; init; }

    /// <summary>Eval only: conv-BN folded into the convolutions before timing.</summary>
    public bool Fused { get; init; }

    /// <summary>
    /// Eval only: libtorch (TorchSharp, the default) or onnxruntime (the model exported to ONNX and run by ONNX Runtime on
    /// the CPU, fp32, NCHW input; ONNX Runtime picks its own layout and folds BatchNorm itself).
    /// </summary>
    public string Engine { get; init; } = "libtorch";

    /// <summary>Loader worker threads (data, e2e).</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Prefix of the prepared uint8 image file (PREFIX.u8 and PREFIX.labels, see <see cref="ImageArrayFile"/>); null: random images.</summary>
    public string? Data { get; init; }

    /// <summary>Only the first N images of the data (0: all; random data: 10,000).</summary>
    public int Images { get; init; }

    /// <summary>Seed of the weights, the synthetic batch and the data order.</summary>
    public int Seed { get; init; }
}
