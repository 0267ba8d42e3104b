using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// Dynamic loss scaling for fp16 training, with PyTorch's GradScaler semantics: the loss is
/// multiplied by the scale before backward so small gradients survive fp16; gradients are unscaled
/// before clipping and stepping; a step whose gradients hold inf/NaN is skipped and the scale backs
/// off; after <c>growth_interval</c> clean steps the scale grows. TorchSharp has no GradScaler.
/// </summary>
public sealed class GradScaler
{
    bool unscaled;

    public GradScaler(double init_scale = 65536.0, double growth_factor = 2.0, double backoff_factor = 0.5, int growth_interval = 2000)
    {
        if (init_scale <= 0) throw new ArgumentOutOfRangeException(nameof(init_scale), init_scale, "init_scale must be > 0.");
        if (growth_factor <= 1) throw new ArgumentOutOfRangeException(nameof(growth_factor), growth_factor, "growth_factor must be > 1.");
        if (backoff_factor is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(backoff_factor), backoff_factor, "backoff_factor must be in (0, 1).");
        if (growth_interval < 1) throw new ArgumentOutOfRangeException(nameof(growth_interval), growth_interval, "growth_interval must be >= 1.");
        Scale = init_scale;
        GrowthFactor = growth_factor;
        BackoffFactor = backoff_factor;
        GrowthInterval = growth_interval;
    }

    public double Scale { get; private set; }
    public double GrowthFactor { get; }
    public double BackoffFactor { get; }
    public int GrowthInterval { get; }

    /// <summary>Clean steps since the last change of scale.</summary>
    public int GrowthTracker { get; private set; }

    /// <summary>Whether the last unscaled gradients held inf or NaN.</summary>
    public bool FoundInf { get; private set; }

    /// <summary>Steps skipped for non-finite gradients so far.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>The loss times the current scale, to call backward on.</summary>
    public Tensor ScaleLoss(Tensor loss) => loss * Scale;

    /// <summary>Divides the gradients by the scale (once per step) and records whether any is non-finite.</summary>
    public void Unscale(IEnumerable<Tensor> parameters)
    {
        if (unscaled) return;
        FoundInf = UnscaleGradients(parameters);
        unscaled = true;
    }

    /// <summary>
    /// Divides one optimizer's gradients by the scale and says whether any was not finite, leaving the scaler's own
    /// state alone: with several optimizers each is unscaled and checked on its own (PyTorch keeps found_inf per
    /// optimizer), then <see cref="Update(bool)"/> runs once for the iteration with whether any found one.
    /// </summary>
    public bool UnscaleGradients(IEnumerable<Tensor> parameters)
    {
        using var scope = NewDisposeScope();
        bool inf = false;
        double inv = 1.0 / Scale;
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            if (!inf && !g.isfinite().all().item<bool>()) inf = true;
            g.mul_(inv);
        }
        return inf;
    }

    /// <summary>Updates the scale after an iteration whose optimizers were unscaled with <see cref="UnscaleGradients"/>.</summary>
    public void Update(bool foundInf)
    {
        FoundInf = foundInf;
        if (foundInf) SkippedSteps++;
        Update();
    }

    /// <summary>Unscales if needed, then steps the optimizer unless the gradients were non-finite. Returns whether it stepped.</summary>
    public bool Step(optim.Optimizer optimizer, IEnumerable<Tensor> parameters)
    {
        Unscale(parameters);
        if (FoundInf)
        {
            SkippedSteps++;
            return false;
        }
        optimizer.step();
        return true;
    }

    /// <summary>Adjusts the scale after a step: back off on inf/NaN, grow after GrowthInterval clean steps.</summary>
    public void Update()
    {
        if (FoundInf)
        {
            Scale *= BackoffFactor;
            GrowthTracker = 0;
        }
        else if (++GrowthTracker == GrowthInterval)
        {
            Scale *= GrowthFactor;
            GrowthTracker = 0;
        }
        unscaled = false;
        FoundInf = false;
    }

    /// <summary>Restores scale and tracker (for resume).</summary>
    public void Restore(double scale, int growthTracker)
    {
        Scale = scale;
        GrowthTracker = growthTracker;
    }
}
