namespace Kindling.Data.Datasets;

/// <summary>Seeded, deterministic splits of a data set.</summary>
public static class Splits
{
    /// <summary>
    /// Holds out <paramref name="validationCount"/> samples, stratified: each class gives its share in proportion
    /// to its size (largest remainders get the leftover), chosen at random with <paramref name="seed"/>.
    /// Both subsets keep the source order. The same seed gives the same split. A data set without labels is
    /// one stratum, so its holdout is a uniform random choice of <paramref name="validationCount"/> samples.
    /// </summary>
    public static (SubsetDataset Train, SubsetDataset Validation) StratifiedHoldout(IImageDataset dataset, int validationCount, int seed)
    {
        if (validationCount <= 0 || validationCount >= dataset.Count)
            throw new ArgumentOutOfRangeException(nameof(validationCount), $"{dataset.Name}: a validation split of {validationCount} from {dataset.Count} samples; expected 1..{dataset.Count - 1}.");
        // Unlabelled: every sample in the one stratum, label 0.
        var labels = dataset.HasLabels ? dataset.GetLabels() : new int[dataset.Count];
        int strata = dataset.HasLabels ? dataset.Classes.Count : 1;
        var byClass = Enumerable.Range(0, strata).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < labels.Length; i++) byClass[labels[i]].Add(i);

        // Largest-remainder apportionment, ties broken by class index, so the total is exact.
        var exact = byClass.Select(c => (double)c.Count * validationCount / labels.Length).ToArray();
        var take = exact.Select(e => (int)Math.Floor(e)).ToArray();
        int left = validationCount - take.Sum();
        foreach (var c in Enumerable.Range(0, take.Length).OrderByDescending(c => exact[c] - take[c]).ThenBy(c => c).Take(left)) take[c]++;

        var random = new Random(seed);
        var validation = new List<int>(validationCount);
        for (int c = 0; c < byClass.Length; c++)
        {
            var members = byClass[c].ToArray();
            // Partial Fisher-Yates: the first take[c] places hold a uniform random choice.
            for (int k = 0; k < take[c]; k++)
            {
                int j = random.Next(k, members.Length);
                (members[k], members[j]) = (members[j], members[k]);
            }
            validation.AddRange(members.Take(take[c]));
        }
        validation.Sort();
        var inValidation = new bool[labels.Length];
        foreach (var i in validation) inValidation[i] = true;
        var train = Enumerable.Range(0, labels.Length).Where(i => !inValidation[i]);
        return (new SubsetDataset(dataset, train, $"{dataset.Name} train (seed {seed})"),
                new SubsetDataset(dataset, validation, $"{dataset.Name} validation (seed {seed})"));
    }

    /// <summary>As <see cref="StratifiedHoldout(IImageDataset, int, int)"/>, holding out a fraction (rounded) of the samples.</summary>
    public static (SubsetDataset Train, SubsetDataset Validation) StratifiedHoldout(IImageDataset dataset, double validationFraction, int seed)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"{dataset.Name}: validation fraction {validationFraction}; expected a value strictly between 0 and 1.");
        return StratifiedHoldout(dataset, (int)Math.Round(dataset.Count * validationFraction), seed);
    }
}
