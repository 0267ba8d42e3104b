using System.ComponentModel;
using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Data.Datasets;
using Kindling.Data.Transforms;
using Kindling.Generative;
using Kindling.Generative.Vae;
using Kindling.Reporting;
using Kindling.Runtime;
using SkiaSharp;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling interpolate --checkpoint C --from IMG --to IMG --steps 10 --out strip.png`: a VAE's decoded images along the line
/// between two pictures' latent means (seed 004's interpolate_latent), as one row. The pictures are read and preprocessed as the
/// checkpoint's recipe evaluates images, and must have the model's size.
/// </summary>
sealed class InterpolateCommand : Command<InterpolateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint")]
        [Description("A VAE checkpoint written by `kindling train` (task: vae).")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--from")]
        [Description("The first picture (PNG, JPEG, BMP, WebP) of the model's image size.")]
        public string From { get; init; } = "";

        [CommandOption("--to")]
        [Description("The last picture.")]
        public string To { get; init; } = "";

        [CommandOption("--steps")]
        [Description("Images on the line, both ends included (default 10).")]
        public int Steps { get; init; } = 10;

        [CommandOption("--raw-weights")]
        [Description("Use the checkpoint's own weights even when the run kept an average (training.ema); default: the average when there is one.")]
        public bool RawWeights { get; init; }

        [CommandOption("--scale")]
        [Description("Enlarge every pixel to a square of this side (default 1).")]
        public int Scale { get; init; } = 1;

        [CommandOption("--out")]
        [Description("The PNG to write (default interpolation.png).")]
        public string Out { get; init; } = "interpolation.png";

        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrEmpty(Checkpoint) ? Spectre.Console.ValidationResult.Error("--checkpoint FILE is required.")
            : string.IsNullOrEmpty(From) || string.IsNullOrEmpty(To) ? Spectre.Console.ValidationResult.Error("--from IMAGE and --to IMAGE are required.")
            : Steps < 2 ? Spectre.Console.ValidationResult.Error($"--steps must be >= 2: both ends are on the line (got {Steps}).")
            : Scale < 1 ? Spectre.Console.ValidationResult.Error($"--scale must be >= 1 (got {Scale}).")
            : Spectre.Console.ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        var (recipe, task) = CheckpointTask.Load(settings.Checkpoint);
        using (task)
        {
            if (task is not VaeTask vae)
                throw new InvalidDataException($"{settings.Checkpoint} holds a {recipe.Task} model; interpolate works on VAE checkpoints (task: vae), whose encoder maps a picture to a latent.");
            var weights = SamplingWeights.Choose(settings.Checkpoint, task, settings.RawWeights);
            var shape = vae.Vae.Shape;
            var transform = RecipeBuilder.Transform(recipe.Transforms.Eval, new ChannelStatistics(recipe.Data.Mean.Values, recipe.Data.Std.Values));
            using var scope = NewDisposeScope();
            var from = Read(settings.From, shape, transform);
            var to = Read(settings.To, shape, transform);
            var strip = vae.Interpolate(from, to, settings.Steps);
            var pixels = GeneratedImages.ToPixels(strip, recipe.Data.Mean.Values, recipe.Data.Std.Values);
            ImageGrid.Save(pixels, settings.Out, nrow: settings.Steps, scale: settings.Scale);
            Console.WriteLine($"{settings.Steps} images from {settings.From} to {settings.To} ({weights}) -> {settings.Out}");
        }
        return 0;
    }

    // The picture at its own size: a picture of another size is refused, not resized (the latent of a stretched image is not the image's).
    static Tensor Read(string path, ImageShape shape, ISampleTransform transform)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"picture {path} does not exist.", path);
        using (var codec = SKCodec.Create(path))
        {
            if (codec is null) throw new InvalidDataException($"{path} cannot be decoded; expected a PNG, JPEG, BMP or WebP picture.");
            if (codec.Info.Width != shape.Width || codec.Info.Height != shape.Height)
                throw new ArgumentException($"{path} is {codec.Info.Width}x{codec.Info.Height}, but the checkpoint's VAE takes {shape.Width}x{shape.Height} images ({shape}); give pictures of that size.");
        }
        var hwc = ImageFolder.ReadPicture(path, shape);
        var image = tensor(hwc, [shape.Height, shape.Width, shape.Channels], ScalarType.Byte).permute(2, 0, 1).contiguous();
        // Eval transforms are deterministic; the generator is only there because the interface takes one.
        return transform.Apply(image, new Random(0));
    }
}
