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
    config.AddBranch("bench", bench =>
    {
        bench.SetDescription("Benchmarks: measured on this machine, reported as rates and ratios.");
        bench.AddCommand<BenchDataCommand>("data").WithDescription("Loader images/s with CIFAR-style augmentation against the seed CNN's training rate.");
        bench.AddCommand<BenchMemoryCommand>("memory").WithDescription("RSS over a long training epoch: flat within 10% from step 100?");
    });
    config.AddCommand<TrainCommand>("train").WithDescription("Train a recipe (default: configs/fashion-mnist-fast.yaml) into a run folder; --resume DIR continues.");
    config.AddCommand<EvalCommand>("eval").WithDescription("Metrics of a checkpoint on a split.");
    config.AddCommand<PredictCommand>("predict").WithDescription("Top-k classes per picture, from a checkpoint.");
    config.AddCommand<CompareCommand>("compare").WithDescription("The ablation table: one row per run with the recipe keys that differ and the final metrics.");
    config.AddCommand<ScheduleCommand>("schedule").WithDescription("A recipe's LR (and momentum) at every optimizer step, without training: JSON and a PNG plot.");
    config.AddCommand<DoctorCommand>("doctor").WithDescription("Check a recipe before training: findings with severity and the fix; exit 3 on an error.");
    config.AddCommand<LrFindCommand>("lr-find").WithDescription("The LR range test on a recipe: suggested learning rates, a PNG of the curve and its JSON.");
    config.AddCommand<BatchSizeCommand>("batch-size").WithDescription("The largest batch a recipe's training step fits, images/s per size, and the LR scaled to it.");
    config.AddCommand<SummaryCommand>("summary").WithDescription("The layer-by-layer shape journey of a model: output shapes, parameters, MACs, activation memory.");
});
return CliErrors.Run(() => app.Run(args));
