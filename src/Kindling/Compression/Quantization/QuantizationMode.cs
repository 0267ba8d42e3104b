namespace Kindling.Compression.Quantization;

/// <summary>How a model is made INT8.</summary>
public enum QuantizationMode
{
    /// <summary>Post-training static: calibrated activation scales, QDQ around convolutions and linear layers.</summary>
    Static,
    /// <summary>Dynamic: linear layers only, activation scales computed per batch at run time.</summary>
    Dynamic,
    /// <summary>Quantization-aware training: fine-tuned with fake quantization, then the learned scales written as QDQ.</summary>
    Qat,
}
