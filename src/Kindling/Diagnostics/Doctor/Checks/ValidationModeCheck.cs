using System.Globalization;
using Kindling.Data.Loading;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// A task's own validation step that leaves dropout active (it switches a module back to train mode, or runs modules
/// kept outside <c>Modules</c>, which the engine cannot switch) measures a different number every time: the same batch
/// validated twice, as the engine validates it (<see cref="Trainer.Evaluate"/>), must give the same metrics. The engine
/// already switches the modes it knows (<see cref="EngineSafeguardsCheck"/>); this catches what it cannot see.
/// </summary>
public sealed class ValidationModeCheck : IDoctorCheck
{
    /// <summary>Relative difference between the two validations above which they count as different (float noise is far below).</summary>
    public const double Tolerance = 1e-5;

    /// <inheritdoc/>
    public string Name => "validation-mode";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public bool NeedsClassifier => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        var (images, labels) = context.FirstBatch;
        var task = context.Task;
        // One batch, read twice: the loader copies it, so the context's first batch stays intact for the other checks.
        using var source = new TensorLoader(images, labels.to(ScalarType.Int64), batchSize: (int)images.shape[0]);
        var first = Trainer.Evaluate(task, source, context.Device);
        if (first is null) yield break; // the task measures nothing on validation data
        var second = Trainer.Evaluate(task, source, context.Device);
        var differing = first.Metrics
            .Where(kv => second?.Metrics.TryGetValue(kv.Key, out var b) == true && Differ(kv.Value, b))
            .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:G6} then {second!.Metrics[kv.Key]:G6}"))
            .ToList();
        if (differing.Count == 0) yield break;
        yield return new Finding(Name, Severity.Warning,
            $"validating the same batch twice gave different results ({string.Join(", ", differing)}), though the engine had put the task's modules in eval mode: " +
            "the validation step still runs something at random (dropout left active by a train() call inside Validate, or modules the task keeps outside Modules). " +
            "Validation metrics, the best checkpoint and early stopping then follow noise.",
            "Do not call train() inside Validate, and list every module the task runs in Modules so the engine switches it to eval mode; " +
            "a frozen module kept elsewhere (a teacher) needs its own eval().");
    }

    static bool Differ(double a, double b) =>
        double.IsNaN(a) != double.IsNaN(b) || Math.Abs(a - b) > Tolerance * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));
}
