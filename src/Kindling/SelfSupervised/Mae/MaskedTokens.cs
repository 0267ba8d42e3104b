using static TorchSharp.torch;

namespace Kindling.SelfSupervised.Mae;

/// <summary>What <see cref="RandomMasking.Apply"/> returns for tokens [N, L, D] of which K are kept per sample.</summary>
/// <param name="Kept">The kept tokens [N, K, D], in the shuffled order.</param>
/// <param name="Mask">[N, L] in the original order: 0 where the token was kept, 1 where it was masked (removed).</param>
/// <param name="IdsRestore">[N, L]: gathering the shuffled sequence (kept, then masked) with it restores the original order.</param>
/// <param name="IdsKeep">[N, K]: the original positions of the kept tokens.</param>
public sealed record MaskedTokens(Tensor Kept, Tensor Mask, Tensor IdsRestore, Tensor IdsKeep);
