using Kindling.Bench.Commands;
using Kindling.Runtime;
using Spectre.Console.Cli;

// `./kindling bench VERB ...` runs this program with VERB ...: the verbs, flags and JSON are those of the
// `kindling bench` branch the CLI used to carry, which bench/reference/driver.py and the README depend on.
var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("kindling bench");
    config.PropagateExceptions();
    config.AddCommand<BenchGanCommand>("gan").WithDescription("A GAN task's training step (both players) on a synthetic batch, against bench/generative/dcgan_reference.py.");
    config.AddCommand<BenchTrainCommand>("train").WithDescription("Training steps on a synthetic batch: images/s, ms per phase, GFLOP/s, peak RSS.");
    config.AddCommand<BenchEvalCommand>("eval").WithDescription("Eval steps in inference mode (optionally channels-last, conv-BN fused).");
    config.AddCommand<BenchDataCommand>("data").WithDescription("The loader alone with the standard CIFAR augmentation (--sweep: worker counts against the training rate).");
    config.AddCommand<BenchE2eCommand>("e2e").WithDescription("Training epochs: the loader with augmentation feeding the training step.");
    config.AddCommand<BenchMatmulCommand>("matmul").WithDescription("GFLOP/s of a 2048^2 fp32 matmul: the BLAS ceiling.");
    config.AddCommand<BenchPeakCommand>("peak").WithDescription("GFLOP/s of independent fp32 FMA chains on every thread: the CPU's own ceiling.");
    config.AddCommand<BenchAllReduceCommand>("allreduce").WithDescription("Under mpirun: all-reduce bandwidth and latency of the ranks' communicator, results checked.");
    config.AddCommand<BenchDpCommand>("dp").WithDescription("Data-parallel training steps (run under mpirun; alone: the one-rank baseline): images/s and the communication share.");
    config.AddCommand<BenchDdpmCommand>("ddpm").WithDescription("The DDPM U-Net's training step (noise, U-Net, MSE, AdamW) on a Fashion-MNIST-shaped batch; bench/generative/ddpm_bench.py is PyTorch's.");
    config.AddCommand<BenchSimClrCommand>("simclr").WithDescription("SimCLR training steps (two views, encoder, projection, NT-Xent); bench/reference/simclr_step.py is PyTorch's side.");
    config.AddCommand<BenchMocoMemoryCommand>("moco-memory").WithDescription("RSS over a long MoCo run (queue, key encoder, shuffle-BN): flat within 10% from step 100?");
    config.AddCommand<BenchMemoryCommand>("memory").WithDescription("RSS over a long training epoch: flat within 10% from step 100?");
});
try
{
    return app.Run(args);
}
catch (Exception e) when (e is NativeLoadException or CommandParseException or CommandRuntimeException
                              or Kindling.Distributed.DistributedException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or NotSupportedException)
{
    // One line and an exit code, as the CLI gives: the driver shows stderr when a case fails.
    Console.Error.WriteLine(e is NativeLoadException ? e.Message : $"error: {e.Message}");
    return e is CommandParseException or CommandRuntimeException ? 2 : 1;
}
