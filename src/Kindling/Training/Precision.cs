namespace Kindling.Training;

/// <summary>
/// Numeric precision of training. Mixed modes run forward and backward in 16 bits with fp32 master
/// weights (the optimizer steps in fp32); fp16 adds dynamic loss scaling. On CPUs without native
/// bf16 (no AVX-512 BF16), bf16 is much slower than fp32: mixed precision is for GPUs.
/// </summary>
public enum Precision
{
    Fp32,
    Bf16Mixed,
    Fp16Mixed,
}
