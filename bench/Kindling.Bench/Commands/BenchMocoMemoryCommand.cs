using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>`kindling bench moco-memory`: RSS over a long MoCo run (the queue is a fixed buffer): flat within 10% from step 100?</summary>
sealed class BenchMocoMemoryCommand : Command<BenchMocoMemoryCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--steps")]
        [Description("Training steps (default 2000).")]
        public int Steps { get; init; } = 2000;

        [CommandOption("--batch")]
        [Description("Batch size (default 16, a multiple of the 4 shuffle-BN groups).")]
        public int Batch { get; init; } = 16;

        [CommandOption("--threads")]
        [Description("Intra-op threads; 0 (default) keeps libtorch's default.")]
        public int Threads { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON object.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            Steps < 100 ? ValidationResult.Error("--steps must be >= 100 (step 100 is the reference).")
            : Batch < 8 || Batch % 4 != 0 ? ValidationResult.Error("--batch must be a multiple of 4, at least 8.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var (samples, growth) = SimClrBenchmark.MocoMemory(s.Steps, s.Batch, s.Threads, line => Console.Error.WriteLine(line));
        bool flat = Math.Abs(growth) <= 0.10;
        if (s.Json)
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                steps = s.Steps, batch = s.Batch, growth_from_step_100 = growth, flat,
                samples = samples.Select(x => new { step = x.Step, rss_mib = x.RssMiB }), machine = BenchOptions.Machine(),
            }));
        else
            AnsiConsole.WriteLine($"moco memory over {s.Steps} steps: RSS {samples[0].RssMiB:F0} MiB at step {samples[0].Step}, {samples[^1].RssMiB:F0} MiB at step {samples[^1].Step}: {growth:+0.0%;-0.0%} from step 100 ({(flat ? "flat" : "NOT flat")})");
        return flat ? 0 : 3;
    }
}
