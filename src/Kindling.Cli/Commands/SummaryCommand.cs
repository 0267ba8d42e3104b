using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Kindling.Models;
using Kindling.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>`kindling summary --model NAME`: the layer-by-layer shape journey, parameters and MACs of a registered model.</summary>
sealed class SummaryCommand : Command<SummaryCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <NAME>")]
        [Description("Registered model name, e.g. seed-cnn, resnet18-cifar, mobilenetv2.")]
        public string Model { get; init; } = "";

        [CommandOption("--input <CxHxW>")]
        [Description("Input shape without the batch, e.g. 3x32x32 (default: the model's design size).")]
        public string? Input { get; init; }

        [CommandOption("--classes <N>")]
        [Description("Number of classes (default: the model's); 0 builds it without its classifier (forward returns the features).")]
        public int? Classes { get; init; }

        [CommandOption("--batch <B>")]
        [Description("Batch size for the shapes and the activation memory (default 1).")]
        public int Batch { get; init; } = 1;

        [CommandOption("--json")]
        [Description("Print one JSON object instead of a table.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error($"--model is required; models: {string.Join(", ", ModelRegistry.Names)}.")
            : Batch < 1 ? ValidationResult.Error($"--batch must be at least 1; got {Batch}.")
            : Classes < 0 ? ValidationResult.Error($"--classes must be at least 1, or 0 for the model without its classifier; got {Classes}.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var info = ModelRegistry.Info(settings.Model);
        var chw = settings.Input is null ? new long[] { 3, info.DefaultInputSize, info.DefaultInputSize } : ParseInput(settings.Input);
        TorchRuntime.EnsureLoaded();
        var summary = Summarize(info.Name, chw, settings.Classes, settings.Batch);
        if (settings.Json)
        {
            Console.WriteLine(CliJson.Serialize(new
            {
                model = info.Name,
                input = summary.InputShape,
                layers = summary.Layers.Select(l => new { name = l.Name, type = l.Type, output_shape = l.OutputShape, parameters = l.Parameters, macs = l.Macs }),
                total_parameters = summary.TotalParameters,
                trainable_parameters = summary.TrainableParameters,
                total_macs = summary.TotalMacs,
                activation_bytes = summary.ActivationBytes,
                num_features = summary.NumFeatures,
                num_classes = summary.NumClasses,
            }));
            return 0;
        }
        // Bound to the current Console.Out (not Spectre's process-wide console), so redirected output is honoured.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        // Redirected output reports 80 columns, which wraps every dotted layer name; the journey reads best unwrapped.
        console.Profile.Width = Math.Max(console.Profile.Width, 120);
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("#", c => c.RightAligned()).AddColumn("layer").AddColumn("type").AddColumn("output shape")
            .AddColumn("params", c => c.RightAligned()).AddColumn("MACs", c => c.RightAligned());
        for (int i = 0; i < summary.Layers.Count; i++)
        {
            var l = summary.Layers[i];
            table.AddRow((i + 1).ToString(CultureInfo.InvariantCulture), CliErrors.Esc(l.Name), l.Type, Shape(l.OutputShape), Count(l.Parameters), Count(l.Macs));
        }
        console.WriteLine($"{info.Name}: {info.Description}");
        console.WriteLine($"input {Shape(summary.InputShape)}");
        console.Write(table);
        console.WriteLine($"parameters  {Count(summary.TotalParameters)} ({Count(summary.TrainableParameters)} trainable)");
        console.WriteLine($"MACs        {Count(summary.TotalMacs)} per sample ({summary.TotalMacs / 1e9:0.###} G)");
        console.WriteLine($"activations {summary.ActivationBytes / (1024.0 * 1024):0.##} MiB estimated for a batch of {summary.InputShape[0]}");
        if (summary.NumFeatures is long f)
            console.WriteLine($"features    {Count(f)}" + (summary.NumClasses == 0 ? " (headless: forward returns them)" : $" read by the classifier ({summary.NumClasses} classes)"));
        return 0;
    }

    /// <summary>The summary the command prints, for a registered model on a C x H x W input.</summary>
    internal static ModelSummary Summarize(string model, long[] chw, int? classes, int batch)
    {
        var options = new ModelOptions
        {
            NumClasses = classes,
            InChannels = (int)chw[0],
            // Only seed-cnn and the ViT size layers by it; square inputs are what they take.
            InputSize = chw[1] == chw[2] ? (int)chw[1] : null,
        };
        using var net = ModelRegistry.Create(model, options);
        try
        {
            return ModelSummary.Of(net, chw, batch);
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            throw new ArgumentException($"Model '{model}' cannot run on a {chw[0]}x{chw[1]}x{chw[2]} input: {e.Message.Split('\n')[0]}", e);
        }
    }

    static long[] ParseInput(string text)
    {
        var parts = text.Split('x', 'X', ',');
        if (parts.Length == 3 && parts.All(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0))
            return parts.Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        throw new ArgumentException($"--input '{text}': expected CxHxW with positive integers, e.g. 3x32x32.");
    }

    static string Shape(long[] shape) => "(" + string.Join(", ", shape) + ")";

    static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
