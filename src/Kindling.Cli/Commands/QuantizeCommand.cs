using System.ComponentModel;
using System.Globalization;
using Kindling.Compression.Quantization;
using Kindling.Config.Tools;
using Kindling.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling quantize --checkpoint C --mode static|dynamic|qat [--calibration-batches N] [--observer minmax|percentile]
/// [--data SPEC] [--split holdout|test] [--qat-epochs E] [--out DIR] [--json]`: an INT8 ONNX model and its report.
/// </summary>
sealed class QuantizeCommand : Command<QuantizeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint")]
        [Description("A checkpoint written by `kindling train` (best.ckpt or last.ckpt).")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--mode")]
        [Description("static (calibrated QDQ, default), dynamic (linear layers) or qat (fine-tune with fake quantization).")]
        public string Mode { get; init; } = "static";

        [CommandOption("--calibration-batches")]
        [Description("Batches of 64 training images for calibration (static, qat). Default 32.")]
        public int CalibrationBatches { get; init; } = 32;

        [CommandOption("--observer")]
        [Description("minmax (default) or percentile: how static calibration sets activation ranges.")]
        public string Observer { get; init; } = "minmax";

        [CommandOption("--percentile")]
        [Description("Upper quantile of the percentile observer. Default 0.9999.")]
        public double Percentile { get; init; } = 0.9999;

        [CommandOption("--data")]
        [Description("Data spec replacing the recipe's.")]
        public string? Data { get; init; }

        [CommandOption("--split")]
        [Description("holdout (default: the recipe's validation holdout) or test: where accuracy is measured.")]
        public string Split { get; init; } = "holdout";

        [CommandOption("--qat-epochs")]
        [Description("QAT fine-tuning epochs with the checkpoint's recipe. Default 1.")]
        public int QatEpochs { get; init; } = 1;

        [CommandOption("--qat-train-images")]
        [Description("QAT fine-tunes on a stratified subset of this many training images (default: all).")]
        public int? QatTrainImages { get; init; }

        [CommandOption("--qat-lr-scale")]
        [Description("QAT learning rate as a fraction of the recipe's. Default 0.1.")]
        public double QatLrScale { get; init; } = 0.1;

        [CommandOption("--threads")]
        [Description("Threads for TorchSharp and ONNX Runtime (intra-op) alike. Default 2.")]
        public int Threads { get; init; } = 2;

        [CommandOption("--timing-rounds")]
        [Description("Rounds of alternating timing (each: 10 batch-1 calls and one batch-64 call per engine). Default 5.")]
        public int TimingRounds { get; init; } = 5;

        [CommandOption("--out")]
        [Description("Output folder (default: quantized-MODE beside the checkpoint's run folder).")]
        public string? Out { get; init; }

        [CommandOption("--json")]
        [Description("Print the report as JSON.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Checkpoint) ? ValidationResult.Error("--checkpoint FILE is required.")
            : Mode is not ("static" or "dynamic" or "qat") ? ValidationResult.Error($"--mode must be static, dynamic or qat, not '{Mode}'.")
            : Observer is not ("minmax" or "percentile") ? ValidationResult.Error($"--observer must be minmax or percentile, not '{Observer}'.")
            : Split is not ("holdout" or "test") ? ValidationResult.Error($"--split must be holdout or test, not '{Split}'.")
            : CalibrationBatches < 1 ? ValidationResult.Error($"--calibration-batches must be at least 1, not {CalibrationBatches}.")
            : QatEpochs < 1 ? ValidationResult.Error($"--qat-epochs must be at least 1, not {QatEpochs}.")
            : QatTrainImages is < 1 ? ValidationResult.Error($"--qat-train-images must be at least 1, not {QatTrainImages}.")
            : TimingRounds < 1 ? ValidationResult.Error($"--timing-rounds must be at least 1, not {TimingRounds}.")
            : Threads < 1 ? ValidationResult.Error($"--threads must be at least 1, not {Threads}.")
            : !(Percentile > 0.5 && Percentile <= 1) ? ValidationResult.Error($"--percentile must be in (0.5, 1], not {Percentile.ToString(CultureInfo.InvariantCulture)}.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        if (!File.Exists(settings.Checkpoint)) throw new FileNotFoundException($"--checkpoint: no file '{settings.Checkpoint}'.", settings.Checkpoint);
        var runDir = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(settings.Checkpoint)))!;
        var outDir = settings.Out ?? Path.Combine(runDir, $"quantized-{settings.Mode}");
        var report = CheckpointQuantizer.Run(settings.Checkpoint, outDir, new QuantizeOptions
        {
            Mode = Enum.Parse<QuantizationMode>(settings.Mode, ignoreCase: true),
            CalibrationBatches = settings.CalibrationBatches,
            Observer = settings.Observer == "percentile" ? ObserverKind.Percentile : ObserverKind.MinMax,
            Percentile = settings.Percentile,
            Data = settings.Data,
            Split = settings.Split,
            QatEpochs = settings.QatEpochs,
            QatLrScale = settings.QatLrScale,
            QatTrainImages = settings.QatTrainImages,
            Threads = settings.Threads,
            TimingRounds = settings.TimingRounds,
            Log = line => Console.Error.WriteLine(line),
        });
        Console.WriteLine(settings.Json ? report.ToJson() : report.ToMarkdown());
        if (!settings.Json) Console.WriteLine($"Wrote {Path.Combine(outDir, "model.int8.onnx")}, report.md and report.json.");
        return 0;
    }
}
