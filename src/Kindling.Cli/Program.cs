using Kindling.Cli;
using Kindling.Cli.Commands;
using Spectre.Console.Cli;

// The benchmarks are their own program (bench/Kindling.Bench), so this one carries no benchmark code; the
// checkout's ./kindling script forwards `bench` there. Reached only when this assembly is run directly.
if (args.Length > 0 && args[0] == "bench")
{
    Console.Error.WriteLine("error: the benchmarks are a separate program: run `./kindling bench ...` from a checkout " +
                            "(or `dotnet run -c Release --project bench/Kindling.Bench -- ...`).");
    return CliErrors.Usage;
}

// `kindling sample --n 64` and `kindling fid --n 10000` are the documented forms, but Spectre.Console needs long option names of two characters or more.
if (args.Length > 0 && args[0] is "sample" or "fid") args = [.. args.Select(a => a == "--n" ? "--count" : a.StartsWith("--n=", StringComparison.Ordinal) ? "--count=" + a[4..] : a)];

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("kindling");
    config.PropagateExceptions();
    config.AddCommand<InfoCommand>("info").WithDescription("Versions, threads, device, and whether libtorch loaded (and why not).");
    config.AddCommand<DataCommand>("data").WithDescription("What a data set holds: splits, counts, classes, shape, per-channel mean/std.");
    config.AddCommand<TrainCommand>("train").WithDescription("Train a recipe (default: configs/fashion-mnist-fast.yaml) into a run folder; --resume DIR continues.");
    config.AddCommand<LaunchCommand>("launch").WithDescription("Run a kindling command as N data-parallel ranks through mpirun: kindling launch -n 2 -- train --config FILE.");
    config.AddCommand<DistillCommand>("distill").WithDescription("Train a recipe's model as the student of a frozen teacher checkpoint (knowledge distillation) into a run folder.");
    config.AddCommand<ExportCommand>("export").WithDescription("A checkpoint's model for another framework: a PyTorch state dict with PyTorch's names (--format pytorch) or ONNX (--format onnx).");
    config.AddCommand<ImportCommand>("import").WithDescription("PyTorch weights (a state dict) into a registry model, written as a Kindling checkpoint that eval, predict and distill read.");
    config.AddCommand<EvalCommand>("eval").WithDescription("Metrics of a checkpoint on a split.");
    config.AddCommand<PredictCommand>("predict").WithDescription("Top-k classes per picture, from a checkpoint.");
    config.AddCommand<CompareCommand>("compare").WithDescription("The ablation table: one row per run with the recipe keys that differ and the final metrics.");
    config.AddCommand<SweepCommand>("sweep").WithDescription("Grid or random search over recipe keys (optionally successive halving): trial run folders, a ranked table, a plot, TensorBoard HParams; --resume DIR continues.");
    config.AddCommand<ScheduleCommand>("schedule").WithDescription("A recipe's LR (and momentum) at every optimizer step, without training: JSON and a PNG plot.");
    config.AddCommand<FuseCommand>("fuse").WithDescription("Which BatchNorms fold into their convolutions (and why the rest stay), and the fused model's eval speed against the unfused one, measured alternately.");
    config.AddCommand<PruneCommand>("prune").WithDescription("Prune a checkpoint (unstructured L1, or --structured filters removed), fine-tune it, and write the smaller checkpoint with its sparsity and accuracies.");
    config.AddCommand<QuantizeCommand>("quantize").WithDescription("INT8 ONNX model of a checkpoint (static, dynamic or QAT) with size, accuracy and speed against float.");
    config.AddCommand<DoctorCommand>("doctor").WithDescription("Check a recipe before training: findings with severity and the fix; exit 3 on an error.");
    config.AddCommand<LrFindCommand>("lr-find").WithDescription("The LR range test on a recipe: suggested learning rates, a PNG of the curve and its JSON.");
    config.AddCommand<BatchSizeCommand>("batch-size").WithDescription("The largest batch a recipe's training step fits, images/s per size, and the LR scaled to it.");
    config.AddCommand<SampleCommand>("sample").WithDescription("A grid of new images from a generative checkpoint (VAE, GAN, ...): --n, --class, --steps, --seed.");
    config.AddCommand<InterpolateCommand>("interpolate").WithDescription("A VAE's decoded images along the latent line between two pictures, as one row.");
    config.AddCommand<FidCommand>("fid").WithDescription("Domain FID and class coverage of a generative checkpoint, beside the real-vs-real floor, with the feature network named.");
    config.AddCommand<ProbeCommand>("probe").WithDescription("What a pretrained encoder learned: weighted kNN and linear probes on frozen features, beside a random encoder of the same architecture.");
    config.AddCommand<SummaryCommand>("summary").WithDescription("The layer-by-layer shape journey of a model: output shapes, parameters, MACs, activation memory.");
});
return CliErrors.Run(() => app.Run(args));
