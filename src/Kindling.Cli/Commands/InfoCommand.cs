using System.ComponentModel;
using System.Text.Json;
using Kindling.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>`kindling info`: versions, threads, device; when libtorch cannot load, the real cause and the fix.</summary>
sealed class InfoCommand : Command<InfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print one JSON object instead of a table.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var diagnosis = NativeLoadDiagnosis.Run();
        if (!diagnosis.Loaded)
        {
            if (settings.Json)
                Console.WriteLine(CliJson.Serialize(new { loaded = false, library = diagnosis.LibraryPath, cause = diagnosis.LoaderError, missing_version = diagnosis.MissingVersion, fix = diagnosis.Fix }));
            else
                Console.Error.WriteLine(diagnosis.ToString());
            return CliErrors.Failure;
        }
        var r = TorchRuntime.Report();
        if (settings.Json)
        {
            Console.WriteLine(CliJson.Serialize(new
            {
                loaded = true, torchsharp = r.TorchSharpVersion, libtorch = r.LibTorchVersion, intra_op_threads = r.IntraOpThreads,
                inter_op_threads = r.InterOpThreads, logical_cores = r.LogicalCores, cuda_available = r.CudaAvailable,
                cuda_devices = r.CudaDevices, device = r.DefaultDevice, os = r.Os, dotnet = r.Dotnet, library = r.NativeLibrary, onednn = r.OneDnn,
            }));
            return 0;
        }
        var table = new Table().HideHeaders().Border(TableBorder.Simple).AddColumn("key").AddColumn("value");
        void Row(string k, string v) => table.AddRow(CliErrors.Esc(k), CliErrors.Esc(v));
        Row("libtorch", $"{r.LibTorchVersion} (loaded from {r.NativeLibrary})");
        Row("TorchSharp", r.TorchSharpVersion);
        Row(".NET", r.Dotnet);
        Row("OS", r.Os);
        Row("threads", $"{r.IntraOpThreads} intra-op, {r.InterOpThreads} inter-op, {r.LogicalCores} logical cores");
        Row("CUDA", r.CudaAvailable ? $"{r.CudaDevices} device(s)" : "not available");
        Row("device", r.DefaultDevice);
        if (r.OneDnn is { } oneDnn) Row("oneDNN", oneDnn);
        AnsiConsole.Write(table);
        return 0;
    }
}
