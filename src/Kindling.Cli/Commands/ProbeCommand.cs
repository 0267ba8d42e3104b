using System.ComponentModel;
using Kindling.Config.Runs;
using Kindling.SelfSupervised;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling probe --checkpoint FILE [--data SPEC] [--method knn|linear|both] [--json]`: what a pretrained encoder learned, by a
/// weighted kNN and a linear classifier on its frozen features, printed beside the same probes of the same architecture at
/// random initialisation (<see cref="EncoderProbe"/>).
/// </summary>
sealed class ProbeCommand : Command<ProbeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint")]
        [Description("A checkpoint of a pretraining run (task simclr or moco), or of a classifier (probed through its features).")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--data")]
        [Description("Data spec to probe on (default: the recipe's); split as the recipe's data.validation splits it.")]
        public string? Data { get; init; }

        [CommandOption("--method")]
        [Description("knn, linear or both (default both).")]
        public string Method { get; init; } = "both";

        [CommandOption("-k|--neighbours")]
        [Description("kNN neighbours (default: the recipe's knn.k, 200).")]
        public int? K { get; init; }

        [CommandOption("--temperature")]
        [Description("kNN temperature (default: the recipe's knn.temperature, 0.1).")]
        public double? Temperature { get; init; }

        [CommandOption("--linear-epochs")]
        [Description("Epochs of the linear classifier over the cached features (default 30).")]
        public int LinearEpochs { get; init; } = 30;

        [CommandOption("--json")]
        [Description("Print one JSON object.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Checkpoint) ? ValidationResult.Error("--checkpoint FILE is required.")
            : Method is not ("knn" or "linear" or "both") ? ValidationResult.Error($"--method must be knn, linear or both, not '{Method}'.")
            : K is < 1 ? ValidationResult.Error("--neighbours must be >= 1.")
            : Temperature is <= 0 ? ValidationResult.Error("--temperature must be > 0.")
            : LinearEpochs < 1 ? ValidationResult.Error("--linear-epochs must be >= 1.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (!File.Exists(settings.Checkpoint)) throw new FileNotFoundException($"checkpoint '{settings.Checkpoint}' not found.", settings.Checkpoint);
        var report = EncoderProbe.Run(new EncoderProbe.Options(settings.Checkpoint, settings.Data, settings.Method)
        {
            K = settings.K,
            Temperature = settings.Temperature,
            Linear = new LinearProbeOptions { Epochs = settings.LinearEpochs },
            Log = line => Console.Error.WriteLine(line),
        });
        if (settings.Json)
        {
            Console.WriteLine(CliJson.Serialize(new
            {
                checkpoint = report.Checkpoint, task = report.Task, model = report.Model, data = report.Data, features = report.Features,
                train_images = report.TrainCount, eval_images = report.EvalCount, k = report.K, knn_temperature = report.KnnTemperature,
                pretrained = new { knn_accuracy = report.Pretrained.Knn, linear_accuracy = report.Pretrained.Linear },
                random = new { knn_accuracy = report.Random.Knn, linear_accuracy = report.Random.Linear },
            }));
            return 0;
        }
        Console.WriteLine($"{report.Task} encoder {report.Model} ({report.Features} features), {report.TrainCount:N0} train / {report.EvalCount:N0} eval images:");
        var table = new Table().AddColumns("encoder", $"kNN top-1 (k {report.K}, T {report.KnnTemperature})", "linear top-1");
        table.AddRow("pretrained", Percent(report.Pretrained.Knn), Percent(report.Pretrained.Linear));
        table.AddRow("random init", Percent(report.Random.Knn), Percent(report.Random.Linear));
        AnsiConsole.Write(table);
        return 0;
    }

    static string Percent(double? value) => value is double v ? $"{v:P2}" : "-";
}
