using Kindling.Data.Loading;
using Kindling.Losses;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tuning.LrFinding;

/// <summary>
/// The learning-rate range test (Smith 2015; fastai's lr_find; the seeds' find_lr): trains one step per
/// learning rate on an exponential sweep, smooths the loss, stops when it blows up, and suggests where the
/// loss falls fastest and one tenth of where it bottoms out. The model, its gradients and mode, the
/// caller's optimizer and torch's random state are left as they were.
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
    /// Runs the test with a fresh optimizer built from <paramref name="optimizer"/> (its lr is replaced by the sweep's;
    /// the linear batch scaling rule is not applied: the sweep's rates are the rates used).
    /// </summary>
    /// <param name="model">Trained in place for the sweep and restored afterwards; inputs go to its parameters' device.</param>
    /// <param name="loader">Training batches (augmented as in training); its epochs repeat when it has fewer batches than steps.</param>
    /// <param name="optimizer">The optimizer and its arguments.</param>
    /// <param name="loss">The loss; null: cross-entropy.</param>
    /// <param name="onStep">Called after every recorded step (progress).</param>
    /// <param name="cancellation">Stops the sweep after the current step; the result holds the points so far.</param>
    public LrFinderResult Run(nn.Module<Tensor, Tensor> model, DataLoader loader, OptimizerOptions optimizer, ILoss? loss = null,
        Action<LrFinderPoint>? onStep = null, CancellationToken cancellation = default)
    {
        TorchRuntime.EnsureLoaded();
        using var snapshot = ModelSnapshot.Take(model);
        using var rng = get_rng_state();
        try
        {
            using var opt = OptimizerFactory.Create(model, optimizer with { Lr = Options.StartLr, BaseBatchSize = null });
            return Sweep(model, loader, opt, loss, onStep, cancellation);
        }
        finally
        {
            snapshot.Restore();
            set_rng_state(rng);
        }
    }

    /// <summary>
    /// Runs the test with the caller's optimizer (its parameter groups' LR ratios are kept); the optimizer's state
    /// (momentum buffers, step counts, learning rates) is saved before and loaded back after.
    /// </summary>
    /// <exception cref="NotSupportedException">A Lookahead optimizer: pass <see cref="OptimizerOptions"/> instead.</exception>
    public LrFinderResult Run(nn.Module<Tensor, Tensor> model, DataLoader loader, optim.Optimizer optimizer, ILoss? loss = null,
        Action<LrFinderPoint>? onStep = null, CancellationToken cancellation = default)
    {
        TorchRuntime.EnsureLoaded();
        if (optimizer is not TorchSharp.Modules.OptimizerHelper helper)
            throw new NotSupportedException($"the range test cannot save and restore a {optimizer.GetType().Name}'s state; pass OptimizerOptions to run it on a fresh optimizer instead.");
        using var snapshot = ModelSnapshot.Take(model);
        using var rng = get_rng_state();
        var saved = new MemoryStream();
        using (var w = new BinaryWriter(saved, System.Text.Encoding.UTF8, leaveOpen: true)) helper.save_state_dict(w);
        try
        {
            return Sweep(model, loader, optimizer, loss, onStep, cancellation);
        }
        finally
        {
            snapshot.Restore();
            set_rng_state(rng);
            saved.Position = 0;
            using var r = new BinaryReader(saved);
            helper.load_state_dict(r);
        }
    }

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

    LrFinderResult Sweep(nn.Module<Tensor, Tensor> model, DataLoader loader, optim.Optimizer optimizer, ILoss? loss,
        Action<LrFinderPoint>? onStep, CancellationToken cancellation)
    {
        var criterion = loss ?? new CrossEntropy();
        var groups = optimizer.ParamGroups.ToList();
        double first = groups[0].LearningRate;
        var ratios = groups.Select(g => first > 0 ? g.LearningRate / first : 1.0).ToArray();
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        if (parameters.Count == 0) throw new ArgumentException("the model has no trainable parameters (all have requires_grad = false).");
        var device = parameters[0].device;
        model.train();
        model.zero_grad(set_to_none: true);
        using var batches = Batches(loader).GetEnumerator();
        return Run(lr =>
        {
            for (int g = 0; g < groups.Count; g++) groups[g].LearningRate = lr * ratios[g];
            batches.MoveNext();
            using var batch = batches.Current;
            using var scope = NewDisposeScope();
            var x = TrainingSession.PrepareInput(batch.Images, device, null, false);
            var y = batch.Labels.to(device);
            var lossTensor = criterion.Forward(model.forward(x).to(float32), y);
            double value = lossTensor.item<float>();
            if (!double.IsFinite(value)) return value;
            lossTensor.backward();
            if (Options.ClipGradNorm is double max) nn.utils.clip_grad_norm_(parameters, max);
            optimizer.step();
            model.zero_grad(set_to_none: true);
            return value;
        }, onStep, cancellation);
    }

    /// <summary>The loader's batches, epoch after epoch.</summary>
    static IEnumerable<Batch> Batches(DataLoader loader)
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
            if (count == 0) throw new ArgumentException($"the loader yields no batches ({loader.Dataset.Count} samples, batch size {loader.Options.BatchSize}, drop_last {loader.Options.DropLast}).");
        }
    }
}
