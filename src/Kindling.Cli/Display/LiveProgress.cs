using System.Globalization;
using Kindling.Training;
using Kindling.Training.Callbacks;
using Spectre.Console;

namespace Kindling.Cli.Display;

/// <summary>
/// The live terminal display: one progress bar per epoch with step, images/s, ETA, running loss and
/// accuracy and the current LR; when an epoch ends its row becomes the epoch's summary line, with a
/// star when the best checkpoint improved. Runs inside Spectre's progress context.
/// </summary>
sealed class LiveProgress(ProgressContext context) : ITrainerCallback
{
    ProgressTask? task;

    public void OnEpochStart(TrainerState state)
    {
        task = context.AddTask($"epoch {state.Epoch}/{state.Epochs}", maxValue: state.BatchesPerEpoch);
    }

    public void OnBatchEnd(TrainerState state, BatchInfo batch)
    {
        if (task is null) return;
        task.Value = batch.Batch;
        task.Description = Markup.Escape($"epoch {state.Epoch}/{state.Epochs} {EpochLine.Running(batch)}");
    }

    public void OnEpochEnd(TrainerState state, EpochMetrics metrics)
    {
        if (task is null) return;
        var line = Markup.Escape(EpochLine.Format(metrics, state.Epochs));
        task.Description = metrics.Best ? $"[green]{line}[/] [yellow]*[/]" : line;
        task.Value = task.MaxValue;
        task.StopTask();
    }

    /// <summary>Runs <paramref name="body"/> under a live progress display.</summary>
    public static T Run<T>(Func<LiveProgress, T> body) => AnsiConsole.Progress()
        .AutoClear(false)
        .HideCompleted(false)
        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
        .Start(ctx => body(new LiveProgress(ctx)));

    /// <summary>Whether the terminal can show a live display (not redirected, not CI).</summary>
    public static bool Supported =>
        !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null && AnsiConsole.Profile.Capabilities.Interactive;
}
