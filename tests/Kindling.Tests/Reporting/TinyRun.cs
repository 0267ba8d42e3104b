using Kindling.Optim;
using Kindling.Optim.Schedulers;
using Kindling.Reporting;
using Kindling.Runtime;
using Kindling.Tests.Training;
using Kindling.Training;
using Kindling.Training.Callbacks;
using static TorchSharp.torch;

namespace Kindling.Tests.Reporting;

/// <summary>
/// One tiny fit with every reporting callback, shared by the reporting tests (a fit is the slow part):
/// 3 epochs of a small MLP on the band data with EMA, then a test-split evaluation, summary and report.
/// </summary>
public sealed class TinyRun : IDisposable
{
    readonly TempDir dir = new();

    public const string Config = "model:\n  name: tiny-mlp\noptimizer:\n  name: sgd\n  lr: 0.3\nepochs: 3\n";

    public TinyRun()
    {
        TorchRuntime.EnsureLoaded();
        Folder = RunFolder.Create(Path.Combine(dir.Path, "run"));
        Folder.WriteConfig(Config);
        Environment = Folder.WriteEnvironment("cpu", "kindling train --config tiny.yaml");
        var train = TinyData.Bands(96);
        ClassNames = train.Classes;
        manual_seed(7);
        Model = nn.Sequential(("flat", nn.Flatten()), ("fc1", nn.Linear(64, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 3)));
        RunCallback = new RunFolderCallback(Folder, "val_accuracy");
        TensorBoard = new TensorBoardCallback(Folder.TensorBoardDir, Model, new Dictionary<string, string> { ["optimizer.lr"] = "0.3", ["model.name"] = "tiny-mlp" });
        PlotsCallback = new PlotsCallback(Folder.PlotsDir, ClassNames);
        var epochLines = new EpochLineCounter(Folder);
        var options = new TrainerOptions
        {
            Epochs = 3,
            Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.3, Momentum = 0.9 },
            Schedule = new ScheduleOptions { Name = "one_cycle_lr" },
            EmaDecay = 0.9,
            Device = "cpu",
            Seed = 7,
            CheckpointDir = Folder.CheckpointsDir,
        };
        Result = new Trainer(options, [RunCallback, TensorBoard, PlotsCallback, epochLines])
            .Fit(Model, TinyData.Loader(train, 16, shuffle: true), TinyData.Loader(TinyData.Bands(30, seed: 2), 16));
        LinesSeenAtEpochEnd = epochLines.Seen;
        Test = Evaluator.Evaluate(Model, TinyData.Loader(TinyData.Bands(30, seed: 3), 16), 3);
        Summary = RunCallback.WriteSummary(Result, Test);
        PlotsCallback.WriteEvaluationPlots(Test, "test-");
        Report = ReportWriter.Write(Folder, Summary, Test, "test", ClassNames, "Tiny run");
    }

    public RunFolder Folder { get; }
    public RunEnvironment Environment { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public nn.Module<Tensor, Tensor> Model { get; }
    public RunFolderCallback RunCallback { get; }
    public TensorBoardCallback TensorBoard { get; }
    public PlotsCallback PlotsCallback { get; }
    public FitResult Result { get; }
    public EvalResult Test { get; }
    public RunSummary Summary { get; }
    public string Report { get; }

    /// <summary>Lines in metrics.jsonl as each epoch ended, seen by a callback that runs after the run folder's.</summary>
    public IReadOnlyList<int> LinesSeenAtEpochEnd { get; }

    public void Dispose()
    {
        Model.Dispose();
        dir.Dispose();
    }

    sealed class EpochLineCounter(RunFolder folder) : ITrainerCallback
    {
        public List<int> Seen { get; } = new();

        public void OnEpochEnd(TrainerState state, EpochMetrics metrics) => Seen.Add(File.ReadAllLines(folder.MetricsPath).Length);
    }
}
