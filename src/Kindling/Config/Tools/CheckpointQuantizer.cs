using Kindling.Compression;
using Kindling.Compression.Fusion;
using Kindling.Compression.Quantization;
using Kindling.Config.Runs;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Export.Onnx;
using Kindling.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Config.Tools;

/// <summary>
/// From a checkpoint written by <c>kindling train</c> to an INT8 ONNX model and a report: rebuilds the
/// run from the checkpoint's resolved recipe (same data, holdout and normalization), exports the float
/// model, folds BatchNorm into a second copy and quantizes it (static, dynamic or QAT with the recipe's
/// optimizer and the Trainer), then measures size, accuracy on the holdout or test split, and batch-1
/// latency and batch-64 throughput against float TorchSharp and float ONNX Runtime, timed alternately.
/// Writes DIR/model.fp32.onnx, DIR/model.int8.onnx, DIR/model.int8.optimized.onnx (ONNX Runtime's
/// graph, showing its kernels), DIR/report.md and DIR/report.json.
/// </summary>
public static class CheckpointQuantizer
{
    /// <summary>Quantizes <paramref name="checkpoint"/> into <paramref name="outDir"/> and returns the report (also written there).</summary>
    /// <exception cref="InvalidDataException">The checkpoint carries no recipe.</exception>
    /// <exception cref="ArgumentException">The split asked for does not exist, or an option is out of range.</exception>
    public static QuantizationReport Run(string checkpoint, string outDir, QuantizeOptions? options = null)
    {
        var o = options ?? new QuantizeOptions();
        if (o.CalibrationBatches < 1) throw new ArgumentException($"calibration batches must be at least 1; got {o.CalibrationBatches}.");
        if (o.Mode == QuantizationMode.Qat && o.QatEpochs < 1) throw new ArgumentException($"qat epochs must be at least 1; got {o.QatEpochs}.");
        var log = o.Log ?? (_ => { });
        var yaml = (string?)TrainingCheckpoint.ReadMeta(checkpoint)["config"]
            ?? throw new InvalidDataException($"{checkpoint} carries no recipe (it was not written by `kindling train`).");
        var recipe = Recipe.Parse(yaml, source: $"{checkpoint} (stored recipe)");
        if (o.Data is not null) recipe = recipe with { Data = recipe.Data with { Spec = o.Data } };
        torch.set_num_threads(o.Threads);
        Directory.CreateDirectory(outDir);

        using var run = RecipeBuilder.Build(recipe, new DataOpenOptions { Log = log });
        var chw = new long[] { run.Recipe.Model.InChannels!.Value, run.Recipe.Model.InputSize!.Value, run.Recipe.Model.InputSize.Value };
        var split = o.Split switch
        {
            "holdout" => run.ValidatesOnTest ? throw new ArgumentException($"the recipe holds nothing out of {run.Data.Name}: use --split test.") : run.ValidationSet
                ?? throw new ArgumentException($"{run.Data.Name} has no holdout in this recipe: use --split test."),
            "test" => run.TestSet ?? throw new ArgumentException($"{run.Data.Name} has no test split: use --split holdout."),
            _ => throw new ArgumentException($"split must be holdout or test, not '{o.Split}'."),
        };
        DataLoader Eval() => new(split, new DataLoaderOptions { BatchSize = 256, NumWorkers = 1 }, run.EvalTransform);

        var fp32 = run.Classifier("quantize");
        TrainingCheckpoint.LoadModel(checkpoint, fp32);
        fp32.eval();
        var fp32Path = Path.Combine(outDir, "model.fp32.onnx");
        // Both files carry the eval pipeline, so `kindling eval` and `predict` run them as they run the checkpoint.
        var fp32Export = OnnxExporter.ToModel(fp32, chw);
        OnnxEvalMetadata.Write(fp32Export, run.Recipe);
        fp32Export.Save(fp32Path);

        var folded = RecipeBuilder.CreateModel(run.Recipe);
        TrainingCheckpoint.LoadModel(checkpoint, folded);
        folded.eval();
        ModelFusion.Fuse(folded, chw);
        var calibration = o.Mode == QuantizationMode.Dynamic ? new List<Tensor>() : CalibrationBatches(run, o);
        log($"quantize: {o.Mode.ToString().ToLowerInvariant()}" + (calibration.Count > 0 ? $", {calibration.Count} calibration batches" : ""));
        var int8 = o.Mode switch
        {
            QuantizationMode.Static => StaticQuantization.Quantize(OnnxExporter.ToModel(folded, chw), calibration,
                new StaticQuantizationOptions { Observer = o.Observer, Percentile = o.Percentile, IntraOpThreads = o.Threads }),
            QuantizationMode.Dynamic => DynamicQuantization.Quantize(OnnxExporter.ToModel(folded, chw)),
            _ => QuantizationAware(run, folded, chw, calibration, o),
        };
        foreach (var t in calibration) t.Dispose();
        var int8Path = Path.Combine(outDir, "model.int8.onnx");
        OnnxEvalMetadata.Write(int8, run.Recipe);
        int8.Save(int8Path);
        var optimizedPath = Path.Combine(outDir, "model.int8.optimized.onnx");

        using var ortFp32 = OnnxRuntimeModel.FromFile(fp32Path, o.Threads);
        using var ortInt8 = OnnxRuntimeModel.FromFile(int8Path, o.Threads, optimizedPath);
        log("quantize: accuracy (float TorchSharp, float ONNX Runtime, INT8)");
        EvalResult torchEval;
        using (var loader = Eval()) torchEval = Evaluator.Evaluate(fp32, loader, run.Classes.Count);
        (long[] Predictions, long[] Labels) fp32Onnx, int8Onnx;
        using (var loader = Eval()) fp32Onnx = ortFp32.Predict(loader);
        using (var loader = Eval()) int8Onnx = ortInt8.Predict(loader);
        double Accuracy((long[] P, long[] L) r) => r.P.Zip(r.L).Count(p => p.First == p.Second) / (double)r.L.Length;
        double agreement = fp32Onnx.Predictions.Zip(int8Onnx.Predictions).Count(p => p.First == p.Second) / (double)fp32Onnx.Predictions.Length;

        log("quantize: timing (alternating engines)");
        double load = LoadAverage();
        IReadOnlyList<InferenceTiming.Result> timings;
        using (var scope = torch.NewDisposeScope())
        using (var loader = new DataLoader(split, new DataLoaderOptions { BatchSize = o.ThroughputBatch }, run.EvalTransform))
        {
            using var first = loader.First();
            var large = first.Images.detach().clone();
            var single = large.narrow(0, 0, 1).clone();
            timings = InferenceTiming.Measure(new (string, Func<Tensor, Tensor>)[]
            {
                ("TorchSharp fp32", x => fp32.call(x)),
                ("ONNX Runtime fp32", x => ortFp32.Run(x)),
                ($"ONNX Runtime INT8 {o.Mode.ToString().ToLowerInvariant()}", x => ortInt8.Run(x)),
            }, single, large, o.TimingRounds);
        }

        var report = new QuantizationReport
        {
            Checkpoint = checkpoint,
            Mode = o.Mode.ToString().ToLowerInvariant(),
            Observer = o.Mode == QuantizationMode.Static ? o.Observer.ToString().ToLowerInvariant() : null,
            CalibrationImages = o.Mode == QuantizationMode.Dynamic ? 0 : o.CalibrationBatches * o.CalibrationBatchSize,
            QatEpochs = o.Mode == QuantizationMode.Qat ? o.QatEpochs : null,
            Data = run.Data.Name,
            Split = o.Split,
            Samples = torchEval.Samples,
            Fp32OnnxBytes = new FileInfo(fp32Path).Length,
            Int8OnnxBytes = new FileInfo(int8Path).Length,
            Fp32TorchAccuracy = torchEval.Accuracy,
            Fp32OnnxAccuracy = Accuracy(fp32Onnx),
            Int8Accuracy = Accuracy(int8Onnx),
            Agreement = agreement,
            Threads = o.Threads,
            ThroughputBatch = o.ThroughputBatch,
            Timings = timings,
            Int8Kernels = OnnxModel.Load(optimizedPath).Graph.OpCounts(),
            LoadAverage = load,
            Cores = Environment.ProcessorCount,
        };
        WriteAtomically(Path.Combine(outDir, "report.json"), report.ToJson());
        WriteAtomically(Path.Combine(outDir, "report.md"), report.ToMarkdown());
        folded.Dispose();
        return report;
    }

    // Training images with the eval transform (no augmentation), shuffled with a fixed seed: never the split that is measured.
    static List<Tensor> CalibrationBatches(RecipeRun run, QuantizeOptions o)
    {
        using var loader = new DataLoader(run.TrainSet, new DataLoaderOptions { BatchSize = o.CalibrationBatchSize, Shuffle = true, Seed = 0, NumWorkers = 1 }, run.EvalTransform);
        var batches = new List<Tensor>();
        foreach (var b in loader)
        {
            using (b) batches.Add(b.Images.detach().clone());
            if (batches.Count == o.CalibrationBatches) break;
        }
        return batches;
    }

    static OnnxModel QuantizationAware(RecipeRun run, nn.Module<Tensor, Tensor> folded, long[] chw, List<Tensor> calibration, QuantizeOptions o)
    {
        var qat = new QuantizationAwareModel(folded, chw);
        qat.Calibrate(calibration);
        var trainer = run.TrainerOptions with
        {
            Epochs = o.QatEpochs,
            Optimizer = run.TrainerOptions.Optimizer with { Lr = run.TrainerOptions.Optimizer.Lr * o.QatLrScale },
            CheckpointDir = null,
            EarlyStopping = null,
            EmaDecay = null,
        };
        o.Log?.Invoke($"quantize: QAT fine-tuning {o.QatEpochs} epoch(s) on {(o.QatTrainImages is int k ? Math.Min(k, run.TrainSet.Count) : run.TrainSet.Count):N0} images at lr {trainer.Optimizer.Lr:G3}");
        if (o.QatTrainImages is int n && n < run.TrainSet.Count)
        {
            // A stratified sample of n images (the held-out side of a stratified split): classes balanced, seed fixed.
            var subset = Splits.StratifiedHoldout(run.TrainSet, n, seed: 0).Validation;
            var d = run.Recipe.Data;
            using var loader = new DataLoader(subset, new DataLoaderOptions { BatchSize = d.BatchSize, Shuffle = true, DropLast = d.DropLast, NumWorkers = d.NumWorkers, Seed = run.Recipe.Training.Seed }, run.TrainTransform);
            new Trainer(trainer).Fit(qat, loader, run.ValidationLoader);
        }
        else new Trainer(trainer).Fit(qat, run.TrainLoader, run.ValidationLoader);
        return qat.ToOnnx();
    }

    static double LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    static void WriteAtomically(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }
}
