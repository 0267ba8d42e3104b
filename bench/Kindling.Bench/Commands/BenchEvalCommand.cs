using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>`kindling bench eval`: eval steps in inference mode, optionally channels-last and conv-BN fused, in libtorch or ONNX Runtime.</summary>
sealed class BenchEvalCommand : Command<BenchEvalCommand.Settings>
{
    public sealed class Settings : BenchCaseSettings
    {
        [CommandOption("--fused")]
        [Description("Fold each BatchNorm into the convolution before it first.")]
        public bool Fused { get; init; }

        [CommandOption("--engine")]
        [Description("libtorch (default: TorchSharp, channels-last unless --nchw) or onnxruntime (the model exported to ONNX, fp32, run by ONNX Runtime).")]
        public string Engine { get; init; } = "libtorch";

        public override ValidationResult Validate() =>
            Engine is not ("libtorch" or "onnxruntime") ? ValidationResult.Error($"--engine must be libtorch or onnxruntime, not '{Engine}'.")
            : base.Validate();

        // ONNX Runtime is fed NCHW and chooses its own layout: the channels-last lever is libtorch's, so it is not claimed.
        public override BenchSettings ToBench() => base.ToBench() with { Fused = Fused, Engine = Engine, ChannelsLast = Engine == "libtorch" && base.ToBench().ChannelsLast };
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        BenchOutput.Print(StepBenchmarks.Eval(settings.ToBench()), settings.Json);
}
