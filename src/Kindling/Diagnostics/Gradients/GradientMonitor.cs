using System.Globalization;
using System.Text.Json;
using Kindling.Reporting;
using Kindling.Training;
using Kindling.Training.Callbacks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Gradients;

/// <summary>
/// Watches every parameter's gradient at every optimizer step through the Trainer's
/// <see cref="ITrainerCallback.OnBeforeOptimizerStep"/>: the gradient's L2 norm and mean |grad| and the
/// weight's norm (one device read per step for all of them), logged to TensorBoard every
/// <see cref="GradientMonitorOptions.LogEvery"/> steps and summarized per epoch (gradients.jsonl,
/// <see cref="LastEpoch"/>). The first NaN/Inf gradient is reported with the layer where it appeared
/// (see <see cref="NonFiniteGradientEvent"/>).
/// </summary>
public sealed class GradientMonitor : ITrainerCallback, IDisposable
{
    readonly nn.Module? model;
    readonly GradientMonitorOptions options;
    readonly TorchSharp.Modules.SummaryWriter? writer;
    readonly Dictionary<string, Accumulator> epoch = [];
    readonly List<string> order = [];
    NonFiniteForwardWatch? watch;

    /// <param name="model">The trained model, to name the forward layer where a NaN appears; null: gradients only.</param>
    /// <param name="options">Outputs and intervals; null: statistics in memory only.</param>
    public GradientMonitor(nn.Module? model = null, GradientMonitorOptions? options = null)
    {
        this.model = model;
        this.options = options ?? new GradientMonitorOptions();
        if (this.options.LogEvery < 1) throw new ArgumentOutOfRangeException(nameof(options), this.options.LogEvery, "the logging interval must be at least 1 step.");
        // Its own event file beside TensorBoardCallback's (the suffix keeps the names apart).
        if (this.options.TensorBoardDir is { } dir) writer = torch.utils.tensorboard.SummaryWriter(dir, filename_suffix: ".gradients");
    }

    /// <summary>The first optimizer step with non-finite gradients; null while there was none.</summary>
    public NonFiniteGradientEvent? FirstNonFinite { get; private set; }

    /// <summary>Optimizer steps with non-finite gradients so far.</summary>
    public int NonFiniteSteps { get; private set; }

    /// <summary>Per-parameter statistics of the last finished epoch, in the model's parameter order.</summary>
    public IReadOnlyList<ParameterGradientStats> LastEpoch { get; private set; } = [];

    public void OnFitStart(TrainerState state)
    {
        if (model is not null && options.LocateForward) watch ??= new NonFiniteForwardWatch(model);
    }

    public void OnEpochStart(TrainerState state)
    {
        epoch.Clear();
        watch?.Reset();
    }

    public void OnBeforeOptimizerStep(TrainerState state, int batch, IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Parameter)> parameters)
    {
        using var scope = NewDisposeScope();
        var withGrad = parameters.Where(p => p.Parameter.grad is not null).ToList();
        float[] stats = [];
        if (withGrad.Count > 0)
            stats = stack(withGrad.Select(p =>
            {
                var g = p.Parameter.grad!.detach().to(float32);
                return stack([g.norm(), g.abs().mean(), p.Parameter.detach().to(float32).norm()]);
            }).ToArray()).cpu().data<float>().ToArray();
        long step = state.GlobalStep + 1;
        bool log = writer is not null && step % options.LogEvery == 0;
        var nonFinite = new List<string>();
        var has = new HashSet<string>();
        for (int i = 0; i < withGrad.Count; i++)
        {
            string name = withGrad[i].Name;
            has.Add(name);
            double norm = stats[3 * i], meanAbs = stats[3 * i + 1], weight = stats[3 * i + 2];
            var a = Get(name);
            a.Steps++;
            a.WeightNorm = weight;
            if (!double.IsFinite(norm) || !double.IsFinite(meanAbs))
            {
                a.NonFinite++;
                nonFinite.Add(name);
                continue;
            }
            a.NormSum += norm;
            a.NormMax = Math.Max(a.NormMax, norm);
            a.MeanAbsSum += meanAbs;
            a.Finite++;
            if (log)
            {
                writer!.add_scalar($"gradients/norm/{name}", (float)norm, (int)step);
                writer.add_scalar($"gradients/mean_abs/{name}", (float)meanAbs, (int)step);
                writer.add_scalar($"weights/norm/{name}", (float)weight, (int)step);
            }
        }
        foreach (var (name, _) in parameters.Where(p => !has.Contains(p.Name)))
        {
            var a = Get(name);
            a.Steps++;
            a.NoGrad++;
        }
        if (nonFinite.Count > 0)
        {
            NonFiniteSteps++;
            if (FirstNonFinite is null)
            {
                FirstNonFinite = new NonFiniteGradientEvent(state.Epoch, step, batch, watch?.First, watch?.First is null ? nonFinite[^1] : null, nonFinite);
                options.Log?.Invoke(FirstNonFinite.Describe());
            }
        }
        watch?.Reset();
    }

    public void OnEpochEnd(TrainerState state, EpochMetrics metrics)
    {
        LastEpoch = order.Where(epoch.ContainsKey).Select(n => epoch[n].Stats(n)).ToList();
        if (options.JsonlPath is not { } path) return;
        var line = JsonSerializer.Serialize(new
        {
            epoch = metrics.Epoch,
            nonfinite_steps = LastEpoch.Count == 0 ? 0 : LastEpoch.Max(p => p.NonFiniteSteps),
            first_nonfinite = FirstNonFinite?.Epoch == metrics.Epoch ? FirstNonFinite.Describe() : null,
            parameters = LastEpoch.Select(p => new
            {
                name = p.Name, grad_norm_mean = p.GradNormMean, grad_norm_max = p.GradNormMax, grad_mean_abs = p.GradMeanAbs,
                weight_norm = p.WeightNorm, grad_to_weight = p.GradToWeight, steps = p.Steps, no_grad_steps = p.NoGradSteps, nonfinite_steps = p.NonFiniteSteps,
            }),
        }, RunJson.Line);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.AppendAllText(path, line + "\n");
    }

    public void OnFitEnd(TrainerState state, FitResult result)
    {
        watch?.Dispose();
        watch = null;
    }

    /// <summary>A table of <see cref="LastEpoch"/> as text lines (parameter, grad norm, mean |grad|, weight norm, ratio).</summary>
    public IEnumerable<string> Table()
    {
        int width = Math.Max(9, LastEpoch.Select(p => p.Name.Length).DefaultIfEmpty(0).Max());
        yield return $"{"parameter".PadRight(width)}  {"grad norm",10}  {"mean |grad|",11}  {"weight norm",11}  {"grad/weight",11}  note";
        foreach (var p in LastEpoch)
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{p.Name.PadRight(width)}  {p.GradNormMean,10:G4}  {p.GradMeanAbs,11:G4}  {p.WeightNorm,11:G4}  {p.GradToWeight,11:G3}  ") +
                (p.NoGradSteps == p.Steps ? "no gradient!" : p.NonFiniteSteps > 0 ? $"NaN/Inf in {p.NonFiniteSteps} steps" : "");
    }

    public void Dispose() => watch?.Dispose();

    Accumulator Get(string name)
    {
        if (!epoch.TryGetValue(name, out var a))
        {
            epoch[name] = a = new Accumulator();
            if (!order.Contains(name)) order.Add(name);
        }
        return a;
    }

    sealed class Accumulator
    {
        public double NormSum, NormMax, MeanAbsSum, WeightNorm;
        public int Steps, Finite, NoGrad, NonFinite;

        public ParameterGradientStats Stats(string name) => new(name, Finite > 0 ? NormSum / Finite : double.NaN, Finite > 0 ? NormMax : double.NaN,
            Finite > 0 ? MeanAbsSum / Finite : double.NaN, WeightNorm, Steps, NoGrad, NonFinite);
    }
}
