using System.ComponentModel;
using Kindling.Config;
using Kindling.Generative;
using Kindling.Reporting;
using Kindling.Runtime;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling sample --checkpoint C --n 64 [--class k] [--steps S] [--seed N] --out grid.png`: a grid of new images from any
/// generative checkpoint (VAE, GAN, and every other task that implements IImageGenerator), in torchvision's make_grid layout.
/// </summary>
sealed class SampleCommand : Command<SampleCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint")]
        [Description("A checkpoint of a generative task written by `kindling train` (task: vae, gan, ...).")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("-n|--count")]
        [Description("Images to generate (default 64; also --n). A conditional model without --class draws a row per class, n rounded up to whole rows.")]
        public int Count { get; init; } = 64;

        [CommandOption("--class")]
        [Description("The class to draw (a conditional model only): its index, or its name from the data's classes.")]
        public string? Class { get; init; }

        [CommandOption("--steps")]
        [Description("Sampling steps for a model that has a choice (DDIM); others ignore it.")]
        public int? Steps { get; init; }

        [CommandOption("--truncation")]
        [Description("The truncation trick for models that decode a latent vector (GANs, the VAE): noise entries beyond +-T are drawn again (fidelity for variety; default none).")]
        public double? Truncation { get; init; }

        [CommandOption("--seed")]
        [Description("Seeds the noise (default 0): the same seed gives the same grid.")]
        public long Seed { get; init; }

        [CommandOption("--raw-weights")]
        [Description("Sample from the checkpoint's own weights even when the run kept an average (training.ema); default: the average when there is one, as `kindling fid` does.")]
        public bool RawWeights { get; init; }

        [CommandOption("--nrow")]
        [Description("Images per row (default 8; a conditional model without --class: one row per class).")]
        public int Nrow { get; init; } = 8;

        [CommandOption("--scale")]
        [Description("Enlarge every pixel to a square of this side (default 1).")]
        public int Scale { get; init; } = 1;

        [CommandOption("--out")]
        [Description("The PNG to write (default samples.png).")]
        public string Out { get; init; } = "samples.png";

        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrEmpty(Checkpoint) ? Spectre.Console.ValidationResult.Error("--checkpoint FILE is required.")
            : Count < 1 ? Spectre.Console.ValidationResult.Error($"--n must be >= 1 (got {Count}).")
            : Steps is < 1 ? Spectre.Console.ValidationResult.Error($"--steps must be >= 1 (got {Steps}).")
            : Truncation is not (null or > 0 and < double.PositiveInfinity) ? Spectre.Console.ValidationResult.Error($"--truncation must be a number > 0 (got {Truncation}).")
            : Nrow < 1 ? Spectre.Console.ValidationResult.Error($"--nrow must be >= 1 (got {Nrow}).")
            : Scale < 1 ? Spectre.Console.ValidationResult.Error($"--scale must be >= 1 (got {Scale}).")
            : Spectre.Console.ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        var (recipe, task) = CheckpointTask.Load(settings.Checkpoint);
        using (task)
        {
            if (task is not IImageGenerator generator)
                throw new InvalidDataException($"{settings.Checkpoint} holds a {recipe.Task} model, which does not generate images; sample works on generative checkpoints (task: vae, gan, ...).");
            var weights = SamplingWeights.Choose(settings.Checkpoint, task, settings.RawWeights);
            int? cls = settings.Class is null ? null : ClassIndex(settings.Class, recipe.Data.Classes ?? [], generator);
            var options = new GenerationOptions { Seed = settings.Seed, Steps = settings.Steps, Class = cls, Truncation = settings.Truncation };
            var (pixels, nrow) = GeneratorGrid.Sample(generator, settings.Count, options, recipe.Data.Mean.Values, recipe.Data.Std.Values, settings.Nrow);
            long count = pixels.shape[0];
            using (pixels) ImageGrid.Save(pixels, settings.Out, nrow, scale: settings.Scale);
            Console.WriteLine($"{count} samples of the {recipe.Task} model{(cls is int c ? $", class {c} ({Name(recipe, c)})" : "")} (seed {settings.Seed}, {weights}) -> {settings.Out}");
        }
        return 0;
    }

    static string Name(Recipe recipe, int c) => recipe.Data.Classes is { } names && c < names.Count ? names[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // An index, or a class name of the data; the generator itself refuses a class it cannot draw.
    static int ClassIndex(string value, IReadOnlyList<string> classes, IImageGenerator generator)
    {
        if (int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int index)) return index;
        int byName = classes.ToList().FindIndex(c => string.Equals(c, value, StringComparison.OrdinalIgnoreCase));
        if (byName >= 0 && generator.ConditionalClasses > 0) return byName;
        if (generator.ConditionalClasses == 0) throw new ArgumentException($"this model is unconditional: it cannot draw class '{value}'; leave --class out.");
        throw new ArgumentException($"--class '{value}' is neither a class index nor one of the classes ({string.Join(", ", classes)}).");
    }
}
