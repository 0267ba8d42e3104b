using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>The case flags plus the data file and loader workers (`kindling bench data` and `bench e2e`).</summary>
class BenchDataSettings : BenchCaseSettings
{
    [CommandOption("--data")]
    [Description("Prefix of the prepared uint8 images (PREFIX.u8, PREFIX.labels; bench/reference/prepare_data.py writes them); default: random images.")]
    public string? Data { get; init; }

    [CommandOption("--images")]
    [Description("Only the first N images of the data (default 0: all; random data: 10000). With --sweep: synthetic images per data set (default 20000).")]
    public int Images { get; init; }

    [CommandOption("--workers")]
    [Description("Loader worker threads (default 2).")]
    public int Workers { get; init; } = 2;

    public override ValidationResult Validate()
    {
        if (Images < 0) return ValidationResult.Error($"--images must be >= 0 (got {Images}).");
        if (Workers < 0) return ValidationResult.Error($"--workers must be >= 0 (got {Workers}).");
        if (Data is not null && !File.Exists(Data + ".u8"))
            return ValidationResult.Error($"--data {Data}: {Data}.u8 does not exist; write it with `/usr/bin/python3 bench/reference/prepare_data.py --out {Data}`.");
        return base.Validate();
    }

    public override BenchSettings ToBench() => base.ToBench() with { Data = Data, Workers = Workers, Images = Images };
}
