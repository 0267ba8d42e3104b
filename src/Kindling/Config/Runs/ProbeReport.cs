using Kindling.SelfSupervised;

namespace Kindling.Config.Runs;

/// <summary>What <c>kindling probe</c> measured: the checkpoint's encoder and the same architecture at random initialisation, side by side.</summary>
public sealed record ProbeReport
{
    public required string Checkpoint { get; init; }

    /// <summary>The checkpoint's task (simclr, moco, mae, or classification probed through its features).</summary>
    public required string Task { get; init; }

    /// <summary>The encoder's architecture: the registry model's name, or the class of the task's own network (MaeEncoder).</summary>
    public required string Model { get; init; }
    public required string Data { get; init; }
    public required long Features { get; init; }
    public required long TrainCount { get; init; }
    public required long EvalCount { get; init; }
    public required int K { get; init; }
    public required double KnnTemperature { get; init; }
    public required ProbeScores Pretrained { get; init; }

    /// <summary>The same architecture, initialised as the run started (the recipe's seed), never trained.</summary>
    public required ProbeScores Random { get; init; }
}
