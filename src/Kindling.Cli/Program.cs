using Kindling.Cli;
using Kindling.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("kindling");
    config.PropagateExceptions();
    config.AddCommand<InfoCommand>("info").WithDescription("Versions, threads, device, and whether libtorch loaded (and why not).");
    config.AddCommand<DataCommand>("data").WithDescription("What a data set holds: splits, counts, classes, shape, per-channel mean/std.");
    config.AddCommand<SummaryCommand>("summary").WithDescription("The layer-by-layer shape journey of a model: output shapes, parameters, MACs, activation memory.");
});
return CliErrors.Run(() => app.Run(args));
