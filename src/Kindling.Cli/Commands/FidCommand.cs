using System.ComponentModel;
using Kindling.Config;
using Kindling.Config.Tools;
using Kindling.Data.Datasets;
using Kindling.Generative;
using Kindling.Generative.Evaluation;
using Kindling.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling fid --checkpoint C [-n 10000] [--classifier CKPT] [--steps S] [--seed N] [--json]`: domain FID and class coverage of
/// any generative checkpoint (a task that implements <see cref="IImageGenerator"/>), beside the real-vs-real floor, with the
/// feature network named.
/// </summary>
sealed class FidCommand : Command<FidCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint")]
        [Description("A checkpoint of a generative task (pixelcnn, diffusion, vae, gan, ...) written by `kindling train`.")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("-n|--count")]
        [Description("Samples to generate (default 10000, the usual FID count; fewer is faster and biases FID upwards).")]
        public int N { get; init; } = 10_000;

        [CommandOption("--classifier")]
        [Description("A classifier checkpoint whose penultimate features FID uses (default: Kindling's Fashion-MNIST classifier from configs/fashion-mnist-fid-classifier.yaml, trained once and cached).")]
        public string? Classifier { get; init; }

        [CommandOption("--steps")]
        [Description("Sampling steps where the model has a choice (DDIM); default: the recipe's.")]
        public int? Steps { get; init; }

        [CommandOption("--truncation")]
        [Description("The truncation trick for models that decode a latent vector (GANs, the VAE): noise entries beyond +-T are drawn again (fidelity for variety; default none).")]
        public double? Truncation { get; init; }

        [CommandOption("--seed")]
        [Description("Seed of the sampling noise (default 0).")]
        public long Seed { get; init; }

        [CommandOption("--batch-size")]
        [Description("Images generated per forward pass (default 256).")]
        public int BatchSize { get; init; } = 256;

        [CommandOption("--raw-weights")]
        [Description("Sample from the checkpoint's own weights even when the run kept an average (training.ema); default: the average when there is one.")]
        public bool RawWeights { get; init; }

        [CommandOption("--no-floor")]
        [Description("Skip the real-vs-real floor (training split against test split).")]
        public bool NoFloor { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON object.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Checkpoint) ? ValidationResult.Error("--checkpoint FILE is required.")
            : N < 2 ? ValidationResult.Error($"--n must be >= 2 (FID fits a covariance), not {N}.")
            : BatchSize < 1 ? ValidationResult.Error($"--batch-size must be >= 1, not {BatchSize}.")
            : Steps is < 1 ? ValidationResult.Error($"--steps must be >= 1, not {Steps}.")
            : Truncation is not (null or > 0 and < double.PositiveInfinity) ? ValidationResult.Error($"--truncation must be a number > 0, not {Truncation}.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        if (!File.Exists(settings.Checkpoint)) throw new FileNotFoundException($"checkpoint '{settings.Checkpoint}' not found.", settings.Checkpoint);
        var (recipe, task) = CheckpointTask.Load(settings.Checkpoint);
        using (task)
        {
            if (task is not IImageGenerator generator)
                throw new InvalidDataException($"{settings.Checkpoint} holds a {recipe.Task} model, which does not generate images; fid takes checkpoints of generative tasks (pixelcnn, diffusion, vae, gan, ...).");
            void Log(string line) => Console.Error.WriteLine(line);
            Log("sampling from " + SamplingWeights.Choose(settings.Checkpoint, task, settings.RawWeights));
            using var network = FidClassifier.Load(settings.Classifier, Log);
            Log($"feature network: {network.Description}");
            var shape = new ImageShape(recipe.Model.InChannels!.Value, recipe.Model.InputSize!.Value, recipe.Model.InputSize.Value);
            network.RequireShape(shape, $"{recipe.Task}'s images ({settings.Checkpoint})");
            var data = DataSpec.Parse(recipe.Data.Spec).Open(recipe.Data.WithResize(new DataOpenOptions { Log = Log }));
            var test = data.Test ?? throw new ArgumentException($"{data.Name} has no test split: FID compares samples with the test split's images.");
            using var real = DatasetPixels.Read(test);
            using var train = settings.NoFloor ? null : DatasetPixels.Read(data.Train, Math.Min(settings.N, data.Train.Count), seed: 0);
            var options = new GenerationOptions { Seed = settings.Seed, Steps = settings.Steps, BatchSize = settings.BatchSize, Truncation = settings.Truncation };
            var report = GeneratorEvaluation.Run(generator, recipe.Data.Mean.Values, recipe.Data.Std.Values, network, real, train, settings.N, options, Log);
            Print(settings, recipe, report);
        }
        return 0;
    }

    static void Print(Settings settings, Recipe recipe, GeneratorReport r)
    {
        var c = r.Coverage;
        if (settings.Json)
        {
            Console.WriteLine(CliJson.Serialize(new
            {
                checkpoint = settings.Checkpoint, task = recipe.Task, feature_network = r.FeatureNetwork, samples = r.Samples, real_images = r.RealImages,
                fid = r.Fid, real_vs_real_floor = r.Floor, seed = settings.Seed, steps = settings.Steps, truncation = settings.Truncation, sample_seconds = r.SampleSeconds,
                class_counts = c.Classes.Select((name, i) => new { @class = name, count = c.Counts[i], share = c.Total == 0 ? 0 : (double)c.Counts[i] / c.Total }),
                min_class_share = c.MinShare, mean_confidence = c.MeanConfidence, asked_class_share = c.AskedClassShare,
            }));
            return;
        }
        Console.WriteLine($"feature network: {r.FeatureNetwork}");
        Console.WriteLine($"FID ({r.Samples:N0} {recipe.Task} samples vs {r.RealImages:N0} test images): {r.Fid:F3}" +
                          (r.Floor is { } floor ? $"   real-vs-real floor (training vs test split): {floor:F3}" : ""));
        Console.WriteLine($"sampling took {r.SampleSeconds:F1} s; mean classifier confidence {c.MeanConfidence:P1}; smallest class share {c.MinShare:P1}" +
                          (c.AskedClassShare is { } asked ? $"; classified as the class asked for: {asked:P1}" : ""));
        var table = new Table().AddColumns("class", "samples", "share");
        for (int i = 0; i < c.Classes.Count; i++)
            table.AddRow(Markup.Escape(c.Classes[i]), $"{c.Counts[i]:N0}", $"{(c.Total == 0 ? 0 : (double)c.Counts[i] / c.Total):P1}");
        AnsiConsole.Write(table);
    }
}
