namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// Training data visited in the same order as stored (sequential sampler, shuffle off). Data sets are
/// often stored sorted by class, so every batch then holds one class and the model chases each in turn.
/// Judged from the sampler's first epoch, so a custom sampler that does not shuffle is caught too.
/// </summary>
public sealed class ShuffleCheck : IDoctorCheck
{
    /// <inheritdoc/>
    public string Name => "shuffle";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public bool NeedsClassifier => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        var loader = context.Loader;
        var first = loader.Sampler.Indices(0).Take(1024).ToList();
        if (first.Count < 3) yield break;
        bool ascending = first.Zip(first.Skip(1)).All(p => p.Second > p.First);
        if (ascending)
            yield return new Finding(Name, Severity.Warning,
                $"training samples are visited in storage order ({loader.Sampler.GetType().Name}, shuffle off): the first indices are {string.Join(", ", first.Take(5))}, ... " +
                "Batches are then correlated (often one class at a time) and every epoch sees the same batches.",
                "Set data.shuffle: true (DataLoaderOptions.Shuffle), or use a random sampler.");
    }
}
