using System.Globalization;
using Kindling.Diagnostics.Doctor;
using Kindling.Export.Onnx;

namespace Kindling.Config.Tools;

/// <summary>
/// The doctor's check of an exported model (seed 004's tenth mistake, deploying without testing edge cases): an ONNX file
/// against the checkpoint it came from on extreme inputs (<see cref="OnnxEdgeCaseCheck"/>), as doctor findings. It lives
/// here because it needs both floors: the doctor's findings (Diagnostics) and the ONNX pieces (Export, above Diagnostics).
/// </summary>
public static class OnnxDoctor
{
    /// <summary>The findings' check name.</summary>
    public const string Name = "onnx-edge-cases";

    /// <summary>Runs the edge-case check and reports it: an error naming the inputs over the tolerance, else one info line with the table.</summary>
    /// <param name="onnxPath">The exported model.</param>
    /// <param name="checkpoint">The checkpoint it was exported from (its model, input shape and normalization).</param>
    /// <param name="tolerance">The largest |logit difference| that passes.</param>
    public static (DoctorReport Report, OnnxEdgeCaseReport Check) Check(string onnxPath, string checkpoint, double tolerance = OnnxEdgeCaseCheck.DefaultTolerance)
    {
        if (!File.Exists(onnxPath)) throw new FileNotFoundException($"the ONNX model {onnxPath} does not exist.", onnxPath);
        var (_, pipeline) = CheckpointModel.Load(checkpoint);
        using var model = pipeline.Model;
        var shape = pipeline.InputShape;
        using var ort = OnnxRuntimeModel.FromFile(onnxPath, intraOpThreads: 1);
        var check = OnnxEdgeCaseCheck.Run(model, ort, [shape.Channels, shape.Height, shape.Width], pipeline.Normalization.Mean, pipeline.Normalization.Std, tolerance);
        var rows = string.Join("; ", check.Cases.Select(c => string.Create(CultureInfo.InvariantCulture,
            $"{c.Input} (batch {c.Batch}): max |diff| {c.MaxAbsDiff:G3}, argmax agreement {c.ArgmaxAgreement * 100:F0}%")));
        var finding = check.Passed
            ? new Finding(Name, Severity.Info, string.Create(CultureInfo.InvariantCulture,
                $"{onnxPath} matches {checkpoint} within {tolerance:G3} on every edge case: {rows}."), "")
            : new Finding(Name, Severity.Error, string.Create(CultureInfo.InvariantCulture,
                $"{onnxPath} differs from {checkpoint} beyond {tolerance:G3} on {string.Join(", ", check.Failed.Select(c => c.Input))}: {rows}. Deployed, it would not compute the model's outputs on such inputs."),
                "Export again from this checkpoint (kindling export --format onnx); if it still differs, report the model and these inputs (an unsupported layer or a converter bug).");
        return (new DoctorReport([finding], [Name], []), check);
    }
}
