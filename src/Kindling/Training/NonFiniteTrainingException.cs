namespace Kindling.Training;

/// <summary>Training stopped because a loss or gradient became inf/NaN (NonFiniteAction.Stop).</summary>
public sealed class NonFiniteTrainingException : Exception
{
    public NonFiniteTrainingException(string message, string? checkpoint) : base(message) => Checkpoint = checkpoint;

    /// <summary>The checkpoint of the last good state, when checkpoints are on.</summary>
    public string? Checkpoint { get; }
}
