using Kindling.Training;
using Kindling.Training.Callbacks;
using TorchSharp;

namespace Kindling.Tests.Training;

/// <summary>
/// Counts the tensors the training thread creates outside any dispose scope from the first epoch's start to the end of the
/// fit. Loader threads call TorchSharp while the training thread does, and a temporary that no scope holds can be finalized
/// by a collection another thread triggers, in the middle of the native call that reads it (docs/ARCHITECTURE.md, "Threads"):
/// the epoch loop must create none.
/// </summary>
sealed class OutsideScopeCounter : ITrainerCallback
{
    long? atStart;

    /// <summary>Tensors created outside a scope during the epochs (null before the fit ends).</summary>
    public long? Created { get; private set; }

    static long Count => DisposeScopeManager.Statistics.CreatedOutsideScopeCount;

    public void OnEpochStart(TrainerState state) => atStart ??= Count;

    public void OnFitEnd(TrainerState state, FitResult result) => Created = Count - atStart;
}
