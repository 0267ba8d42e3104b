using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// BatchNorm with small batches: its statistics come from each forward batch, so below about 16 samples
/// they are noisy and train/eval behaviour drifts apart. Gradient accumulation does not help (each
/// forward still normalizes over its own batch), so the per-forward batch is what counts. A last batch of
/// one sample fails outright in training mode.
/// </summary>
public sealed class BatchNormBatchSizeCheck : IDoctorCheck
{
    /// <inheritdoc/>
    public string Name => "batchnorm-batch-size";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        var norms = context.Model.named_modules()
            .Where(m => m.module is TorchSharp.Modules.BatchNorm1d or TorchSharp.Modules.BatchNorm2d or TorchSharp.Modules.BatchNorm3d)
            .Select(m => m.name).ToList();
        if (norms.Count == 0) yield break;
        var loader = context.Loader;
        int batch = loader.Options.BatchSize;
        int accumulation = context.Subject.Trainer.AccumulationSteps;
        string layers = $"{norms.Count} BatchNorm layer{(norms.Count == 1 ? "" : "s")} ({string.Join(", ", norms.Take(3))}{(norms.Count > 3 ? ", ..." : "")})";
        if (batch < context.Options.MinBatchNormBatch)
            yield return new Finding(Name, Severity.Warning,
                $"{layers} normalize over batches of {batch}{(accumulation > 1 ? $" (accumulation x{accumulation} does not enlarge BatchNorm's batch)" : "")}, " +
                $"below {context.Options.MinBatchNormBatch}: the batch statistics are noisy and differ from the running ones used in evaluation.",
                "Use GroupNorm (model.norm: group(32), or group(8) for narrow layers) as the seeds do for small batches, or a larger data.batch_size.");
        int samples = loader.Sampler.CountAt(0);
        if (!loader.Options.DropLast && samples % batch == 1)
            yield return new Finding(Name, Severity.Error,
                $"{samples:N0} training samples in batches of {batch} leave a last batch of one sample, and BatchNorm cannot compute batch statistics from one value per channel: training fails at the end of the first epoch.",
                "Set data.drop_last: true or change data.batch_size.");
    }
}
