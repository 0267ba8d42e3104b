using Kindling.Training;
using Kindling.Training.Callbacks;

namespace Kindling.Reporting;

/// <summary>
/// Keeps a run's plots/ folder current: a learning curve per task metric (loss.png, accuracy.png, NAME-curve.png) and
/// lr.png after every epoch (a long run can be watched as it goes), and at the end, for a classifier, confusion.png,
/// f1.png and reliability.png from the last validation. <see cref="WriteEvaluationPlots"/> draws the same three for any split (e.g. test).
/// </summary>
public sealed class PlotsCallback : ITrainerCallback
{
    readonly string plotsDir;
    readonly IReadOnlyList<string>? classNames;
    readonly List<(long Step, double Lr)> schedule = new();
    long lastStep = -1;

    /// <param name="plotsDir">The run's plots/ folder.</param>
    /// <param name="classNames">One name per class, in label order, for the axes of the per-class plots.</param>
    public PlotsCallback(string plotsDir, IReadOnlyList<string>? classNames = null)
    {
        this.plotsDir = plotsDir;
        this.classNames = classNames;
    }

    /// <summary>The learning rate after every optimizer step seen so far.</summary>
    public IReadOnlyList<(long Step, double Lr)> Schedule => schedule;

    /// <summary>The last validation result of the live model.</summary>
    public EvalResult? LastValidation { get; private set; }

    public string LossPath => Path.Combine(plotsDir, "loss.png");
    public string AccuracyPath => Path.Combine(plotsDir, "accuracy.png");
    public string LearningRatePath => Path.Combine(plotsDir, "lr.png");

    public void OnFitStart(TrainerState state)
    {
        Directory.CreateDirectory(plotsDir);
        if (schedule.Count == 0) schedule.Add((state.GlobalStep, state.LearningRate));
    }

    public void OnBatchEnd(TrainerState state, BatchInfo batch)
    {
        if (state.GlobalStep == lastStep) return;
        lastStep = state.GlobalStep;
        schedule.Add((state.GlobalStep, batch.LearningRate));
    }

    public void OnValidationEnd(TrainerState state, Training.Tasks.TaskValidation result, bool ema)
    {
        if (!ema && result.Details is EvalResult eval) LastValidation = eval;
    }

    public void OnEpochEnd(TrainerState state, EpochMetrics metrics)
    {
        foreach (var name in Plots.CurveNames(state.History)) Plots.MetricCurves(state.History, name, CurvePath(name));
        Plots.LearningRate(schedule, LearningRatePath);
    }

    /// <summary>
    /// The learning-curve file of a metric: loss.png and accuracy.png keep their names; any other metric's curve is
    /// NAME-curve.png, so it never takes the name of a per-class plot (f1.png).
    /// </summary>
    public string CurvePath(string name) => Path.Combine(plotsDir, name is "loss" or "accuracy" ? name + ".png" : name + "-curve.png");

    public void OnFitEnd(TrainerState state, FitResult result)
    {
        if (LastValidation is not null) WriteEvaluationPlots(LastValidation);
    }

    /// <summary>
    /// Writes the confusion matrix, per-class F1 and reliability diagram of <paramref name="result"/> as
    /// confusion.png, f1.png and reliability.png, each name prefixed with <paramref name="prefix"/> (e.g. "test-").
    /// </summary>
    public IReadOnlyList<string> WriteEvaluationPlots(EvalResult result, string prefix = "") =>
    [
        Plots.Confusion(result.Confusion, classNames, Path.Combine(plotsDir, prefix + "confusion.png")),
        Plots.ClassF1(result.Report, classNames, Path.Combine(plotsDir, prefix + "f1.png")),
        Plots.Reliability(result.Calibration, Path.Combine(plotsDir, prefix + "reliability.png")),
    ];
}
