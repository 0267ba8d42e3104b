using Kindling.Data.Loading;
using Kindling.Optim;
using Kindling.Optim.Schedulers;
using Kindling.Runtime;
using Kindling.Training;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tuning.LrFinding;

/// <summary>
/// The learning-rate range test (Smith 2015; fastai's lr_find; the seeds' find_lr): trains one step per
/// learning rate on an exponential sweep, smooths the loss, stops when it blows up, and suggests where the
/// loss falls fastest and one tenth of where it bottoms out. Each step is the engine's (<see cref="TrainingSession"/>),
/// so a recipe is probed with the step it trains with. The model, its gradients and mode and torch's random state are
/// left as they were.
/// </summary>
/// <example><code>
/// var result = new LrFinder(new LrFinderOptions { Steps = 100 }).Run(model, trainLoader, new OptimizerOptions { Name = "sgd", Momentum = 0.9 });
/// double lr = result.Suggest(LrSuggestion.Steepest);
/// </code></example>
public sealed class LrFinder
{
    /// <param name="options">The sweep; checked here.</param>
    /// <exception cref="ArgumentException">A setting is out of range (start &gt;= end, steps &lt; 2, ...).</exception>
    public LrFinder(LrFinderOptions? options = null) => Options = (options ?? new LrFinderOptions()).Validate();

    public LrFinderOptions Options { get; }

    /// <summary>The sweep's learning rates: StartLr x (EndLr / StartLr)^(i / (Steps - 1)), i = 0..Steps-1, so the first is StartLr and the last EndLr.</summary>
    public static double[] Sequence(double startLr, double endLr, int steps)
    {
        new LrFinderOptions { StartLr = startLr, EndLr = endLr, Steps = steps }.Validate();
        double ratio = endLr / startLr;
        return Enumerable.Range(0, steps).Select(i => i == steps - 1 ? endLr : startLr * Math.Pow(ratio, (double)i / (steps - 1))).ToArray();
    }

    /// <summary>
    /// Runs the test on <paramref name="task"/>'s real training step (<see cref="TrainingSession.RunBatch"/>): its loss,
    /// batch mixing, teacher, precision, channels-last, clipping and accumulation, as <paramref name="trainer"/> trains it.
    /// One sweep point is one optimizer step: with accumulation over N batches a point trains on N batches at its rate and
    /// records their mean loss, because the rate belongs to the update, and the update (its batch and its gradient noise)
    /// is the effective batch's; <c>lr: auto</c> scales the result by the effective batch for the same reason.
    /// The learning rate is set before every step (every group of every optimizer at its ratio to the first group), the
    /// schedule is off (it would move the rate between the sweep's steps), the linear batch scaling rule is not applied
    /// (the sweep's rates are the rates used), EMA is off (its average is never read) and a non-finite loss ends the sweep
    /// rather than the run. The task's modules (values, gradients, mode) and libtorch's generator are put back afterwards;
    /// the optimizers are the session's own, built fresh and disposed.
    /// </summary>
    /// <param name="task">Trained in place for the sweep and restored afterwards.</param>
    /// <param name="loader">Training batches (augmented as in training); its epochs repeat when it has fewer batches than the sweep needs.</param>
    /// <param name="trainer">The run's engineering: optimizer, precision, accumulation, clipping, device, seed.</param>
    /// <param name="onStep">Called after every recorded step (progress).</param>
    /// <param name="cancellation">Stops the sweep after the current step; the result holds the points so far.</param>
    /// <exception cref="NotSupportedException">The task steps its optimizers itself (manual optimization).</exception>
    public LrFinderResult Run(TrainingTask task, IBatchSource loader, TrainerOptions trainer, Action<LrFinderPoint>? onStep = null,
        CancellationToken cancellation = default)
    {
        TorchRuntime.EnsureLoaded();
        if (!task.AutomaticOptimization)
            throw new NotSupportedException($"the LR range test sweeps the rate of the engine's optimizer step, but {task.GetType().Name} steps its optimizers itself " +
                $"(manual optimization: {string.Join(", ", task.ConfigureOptimizers().Select(s => s.Name))}): which one to sweep, and what the others do meanwhile, " +
                "is the task's decision. Sweep one by hand with LrFinder.Run(Func<double, double>) around your own step.");
        if (trainer.Threads is int threads) set_num_threads(threads);
        var options = TunerProbe.Options(trainer) with
        {
            Epochs = 1,
            Schedule = new ScheduleOptions(),
            Optimizer = trainer.Optimizer with { BaseBatchSize = null },
            ClipGradNorm = Options.ClipGradNorm ?? trainer.ClipGradNorm,
            EmaDecay = null,
        };
        int window = options.AccumulationSteps;
        return TunerProbe.Restoring(task.Network, () =>
        {
            using var session = TunerProbe.Open(task, options, Options.Steps * window, Options.Steps, loader.BatchSize);
            var ratios = Ratios(session);
            using var batches = Batches(loader).GetEnumerator();
            int index = 0;
            return Run(lr =>
            {
                session.SetLearningRate(lr, ratios);
                double sum = 0;
                for (int n = 1; ; n++)
                {
                    batches.MoveNext();
                    using var batch = batches.Current;
                    var step = session.RunBatch(batch, index++);
                    sum += step.Loss ?? double.NaN;
                    if (step.EndedWindow) return sum / n;
                }
            }, onStep, cancellation);
        });
    }

    /// <summary>
    /// Runs the test on a classifier (cross-entropy, no mixing) with a fresh optimizer built from <paramref name="optimizer"/>,
    /// on the device the model is on: the short form of <see cref="Run(TrainingTask, IBatchSource, TrainerOptions, Action{LrFinderPoint}?, CancellationToken)"/>.
    /// </summary>
    /// <param name="model">Trained in place for the sweep and restored afterwards.</param>
    /// <param name="loader">Training batches (augmented as in training); its epochs repeat when it has fewer batches than steps.</param>
    /// <param name="optimizer">The optimizer and its arguments (its lr is replaced by the sweep's).</param>
    /// <param name="onStep">Called after every recorded step (progress).</param>
    /// <param name="cancellation">Stops the sweep after the current step; the result holds the points so far.</param>
    public LrFinderResult Run(nn.Module<Tensor, Tensor> model, DataLoader loader, OptimizerOptions optimizer,
        Action<LrFinderPoint>? onStep = null, CancellationToken cancellation = default) =>
        Run(TunerProbe.Classifier(model, loader.Dataset.Classes.Count), loader, TunerProbe.OnDeviceOf(model, optimizer), onStep, cancellation);

    /// <summary>
    /// The test over any training step: <paramref name="trainStep"/> trains one step at the given learning rate and
    /// returns its loss. Smoothing, the divergence stop and the suggestions are those of the model overloads.
    /// </summary>
    public LrFinderResult Run(Func<double, double> trainStep, Action<LrFinderPoint>? onStep = null, CancellationToken cancellation = default)
    {
        var o = Options;
        var smoother = new LossSmoother(o.Smoothing);
        var points = new List<LrFinderPoint>();
        double best = double.PositiveInfinity;
        string reason = "completed";
        var lrs = Sequence(o.StartLr, o.EndLr, o.Steps);
        for (int i = 0; i < lrs.Length; i++)
        {
            if (cancellation.IsCancellationRequested)
            {
                reason = $"cancelled at step {i + 1}";
                break;
            }
            double loss = trainStep(lrs[i]);
            if (!double.IsFinite(loss))
            {
                reason = $"non-finite loss at step {i + 1} (lr {lrs[i]:G3})";
                break;
            }
            double smoothed = smoother.Add(loss);
            if (i > 0 && smoothed > o.DivergenceFactor * best)
            {
                reason = $"diverged at step {i + 1} (lr {lrs[i]:G3}): smoothed loss {smoothed:G4} > {o.DivergenceFactor:G3} x best {best:G4}";
                break;
            }
            best = Math.Min(best, smoothed);
            var point = new LrFinderPoint(i + 1, lrs[i], loss, smoothed);
            points.Add(point);
            onStep?.Invoke(point);
        }
        return new LrFinderResult(points, LrSuggestions.Steepest(points, o.SkipStart, o.SkipEnd), LrSuggestions.Minimum(points, o.SkipStart, o.SkipEnd), reason, o);
    }

    /// <summary>Each optimizer's groups' learning rates as ratios to the first optimizer's first group (what the sweep keeps).</summary>
    static List<double[]> Ratios(TrainingSession session)
    {
        double first = session.Slots[0].LearningRate;
        return session.Slots.Select(s => s.Optimizer.ParamGroups.Select(g => first > 0 ? g.LearningRate / first : 1.0).ToArray()).ToList();
    }

    /// <summary>The loader's batches, epoch after epoch.</summary>
    static IEnumerable<Batch> Batches(IBatchSource loader)
    {
        for (int epoch = 0; ; epoch++)
        {
            loader.SetEpoch(epoch);
            int count = 0;
            foreach (var batch in loader)
            {
                count++;
                yield return batch;
            }
            if (count == 0) throw new ArgumentException($"the loader yields no batches ({loader.SampleCount} samples, batch size {loader.BatchSize}{(loader is DataLoader l ? $", drop_last {l.Options.DropLast}" : "")}).");
        }
    }
}
