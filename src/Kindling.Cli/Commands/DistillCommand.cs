using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling distill --teacher CKPT --config student.yaml`: `kindling train` with the recipe's model as the
/// student of a frozen teacher (the recipe's distillation section, set from the options): the same run
/// folder, live display, metrics, checkpoints and `--resume`.
/// </summary>
sealed class DistillCommand : Command<DistillCommand.Settings>
{
    public sealed class Settings : TrainCommand.Settings
    {
        [CommandOption("--teacher")]
        [Description("The teacher: a checkpoint written by `kindling train` (default: the recipe's distillation.teacher).")]
        public string? Teacher { get; init; }

        [CommandOption("--alpha")]
        [Description("Weight of the hard-label cross-entropy; the teacher's soft targets get 1 - alpha (default: the recipe's, 0.5).")]
        public double? Alpha { get; init; }

        [CommandOption("--temperature")]
        [Description("Softmax temperature of the soft targets (default: the recipe's, 4).")]
        public double? Temperature { get; init; }

        public override ValidationResult Validate() =>
            Resume is not null && (Teacher is not null || Alpha is not null || Temperature is not null)
                ? ValidationResult.Error("--resume continues a distillation with its own teacher, alpha and temperature: drop --teacher, --alpha and --temperature.")
                : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        TrainCommand.Run(settings, recipe =>
        {
            var d = recipe.Distillation;
            d = d with { Teacher = settings.Teacher ?? d.Teacher, Alpha = settings.Alpha ?? d.Alpha, Temperature = settings.Temperature ?? d.Temperature };
            if (d.Teacher is null)
                throw new ArgumentException("kindling distill needs a teacher: --teacher CHECKPOINT (e.g. runs/NAME/checkpoints/best.ckpt) or distillation.teacher in the recipe.");
            return recipe with { Distillation = d };
        });
}
