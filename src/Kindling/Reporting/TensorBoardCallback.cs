using System.Globalization;
using System.Text;
using Kindling.Training;
using Kindling.Training.Callbacks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Reporting;

/// <summary>
/// Writes TensorBoard event files with TorchSharp's SummaryWriter: per optimizer step the loss, learning
/// rate and gradient norm (step/...); per epoch train and validation loss, accuracy, F1, top-k and the EMA
/// model's metrics (loss/..., accuracy/...); per epoch a histogram of every parameter (weights/...) and of
/// its gradient (gradients/...) taken at the epoch's last optimizer step, the only moment gradients exist.
/// TorchSharp has no add_hparams, so the hyperparameters and final metrics are written as a Markdown
/// table under the text tag "hparams" (TensorBoard's Text tab) instead of the HParams tab.
/// </summary>
public sealed class TensorBoardCallback : ITrainerCallback
{
    readonly TorchSharp.Modules.SummaryWriter writer;
    readonly nn.Module model;
    readonly IReadOnlyDictionary<string, string> hparams;
    readonly int histogramEvery;
    long lastStep = -1;

    /// <param name="logDir">The run's tensorboard/ folder.</param>
    /// <param name="model">The trained model, for weight histograms (gradients come from the Trainer's OnBeforeOptimizerStep).</param>
    /// <param name="hparams">Hyperparameters to record at the end (recipe keys and values).</param>
    /// <param name="histogramEvery">Histograms every this many epochs; 0 turns them off (they cost a pass over the weights).</param>
    public TensorBoardCallback(string logDir, nn.Module model, IReadOnlyDictionary<string, string>? hparams = null, int histogramEvery = 1)
    {
        if (histogramEvery < 0) throw new ArgumentOutOfRangeException(nameof(histogramEvery), histogramEvery, "histogram interval must be >= 0 (0 turns histograms off).");
        writer = torch.utils.tensorboard.SummaryWriter(logDir);
        this.model = model;
        this.hparams = hparams ?? new Dictionary<string, string>();
        this.histogramEvery = histogramEvery;
    }

    /// <summary>The folder the event files are in.</summary>
    public string LogDir => writer.LogDir;

    bool HistogramEpoch(int epoch) => histogramEvery > 0 && epoch % histogramEvery == 0;

    public void OnBatchEnd(TrainerState state, BatchInfo batch)
    {
        // Once per optimizer step (skipped ones included): with accumulation the batches between steps
        // did not move the weights, and their loss shows in the next step's.
        if (state.GlobalStep == lastStep) return;
        lastStep = state.GlobalStep;
        int step = Step(state.GlobalStep);
        Scalar("step/loss", batch.Loss, step);
        Scalar("step/lr", batch.LearningRate, step);
        if (batch.GradNorm is double norm) Scalar("step/grad_norm", norm, step);
    }

    public void OnBeforeOptimizerStep(TrainerState state, int batch, IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Parameter)> parameters)
    {
        // The epoch's last window always ends at its last batch.
        if (batch != state.BatchesPerEpoch || !HistogramEpoch(state.Epoch)) return;
        using var scope = NewDisposeScope();
        foreach (var (name, p) in parameters)
            // A histogram of non-finite values is empty to TorchSharp's writer, which then throws: such steps are skipped anyway.
            if (p.grad is { } g && g.numel() > 0 && g.isfinite().all().item<bool>())
                writer.add_histogram($"gradients/{name}", g.detach().to(float32).cpu(), state.Epoch);
    }

    // Tags share a prefix per quantity (loss/train, loss/val, ...) so TensorBoard draws train and validation in one chart.
    static readonly (string Tag, Func<EpochMetrics, double?> Value)[] EngineScalars =
    [
        ("epoch/lr", m => m.LearningRate), ("epoch/grad_norm", m => m.GradNorm),
        ("epoch/images_per_second", m => m.ImagesPerSecond), ("epoch/seconds", m => m.Seconds),
    ];

    /// <summary>A task metric's tag: train_loss -> loss/train, val_top_k -> top_k/val, ema_val_accuracy -> accuracy/ema_val.</summary>
    internal static string Tag(string metric) => MetricName.Split(metric) is (string split, var name) ? $"{name}/{split}" : "epoch/" + metric;

    public void OnEpochEnd(TrainerState state, EpochMetrics m)
    {
        int epoch = m.Epoch;
        foreach (var (name, value) in m.Values) Scalar(Tag(name), value, epoch);
        foreach (var (tag, value) in EngineScalars) Scalar(tag, value(m), epoch);
        if (!HistogramEpoch(epoch)) return;
        using var scope = NewDisposeScope();
        foreach (var (name, p) in model.named_parameters())
            if (p.numel() > 0 && p.isfinite().all().item<bool>())
                writer.add_histogram($"weights/{name}", p.detach().to(float32).cpu(), epoch);
    }

    public void OnFitEnd(TrainerState state, FitResult result)
    {
        var final = result.History.Count > 0 ? result.History[^1] : null;
        var metrics = new List<(string, double?)> { ("best_epoch", result.BestEpoch), ("best_metric", result.BestMetric), ("epochs_run", result.History.Count) };
        if (final is not null) metrics.AddRange(final.Values.Select(kv => ("final_" + kv.Key, (double?)kv.Value)));
        writer.add_text("hparams", HParamsMarkdown(hparams, metrics, result.EndReason), Step(state.GlobalStep));
    }

    /// <summary>The hparams text: two Markdown tables, hyperparameters then results.</summary>
    internal static string HParamsMarkdown(IReadOnlyDictionary<string, string> hparams, IEnumerable<(string Name, double? Value)> metrics, string endReason)
    {
        var text = new StringBuilder("| hyperparameter | value |\n|---|---|\n");
        foreach (var (key, value) in hparams.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture, $"| {key} | {value} |\n");
        text.Append("\n| metric | value |\n|---|---|\n");
        foreach (var (name, value) in metrics)
            if (value is double v) text.Append(CultureInfo.InvariantCulture, $"| {name} | {v:G6} |\n");
        text.Append(CultureInfo.InvariantCulture, $"| end_reason | {endReason} |\n");
        return text.ToString();
    }

    void Scalar(string tag, double? value, int step)
    {
        if (value is double v) writer.add_scalar(tag, (float)v, step);
    }

    // SummaryWriter takes int steps; a run past 2^31 optimizer steps is not a concern here.
    static int Step(long step) => (int)Math.Min(step, int.MaxValue);
}
