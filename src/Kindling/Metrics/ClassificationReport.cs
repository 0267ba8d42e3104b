namespace Kindling.Metrics;

/// <summary>
/// Per-class precision (TP / predicted), recall (TP / actual) and F1 (their harmonic mean), and
/// their macro (plain mean over classes) and weighted (by support) averages, as scikit-learn's
/// classification_report. A class never predicted has precision 0; one never present has recall 0.
/// </summary>
public sealed record ClassificationReport(IReadOnlyList<ClassMetrics> PerClass, ClassMetrics Macro, ClassMetrics Weighted, double Accuracy)
{
    public static ClassificationReport From(ConfusionMatrix m)
    {
        var per = new ClassMetrics[m.NumClasses];
        for (int c = 0; c < m.NumClasses; c++)
        {
            long tp = m[c, c], predicted = m.Predicted(c), support = m.Support(c);
            double p = predicted == 0 ? 0 : (double)tp / predicted;
            double r = support == 0 ? 0 : (double)tp / support;
            double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
            per[c] = new ClassMetrics(p, r, f1, support);
        }
        long total = per.Sum(x => x.Support);
        var macro = new ClassMetrics(per.Average(x => x.Precision), per.Average(x => x.Recall), per.Average(x => x.F1), total);
        var weighted = total == 0
            ? new ClassMetrics(0, 0, 0, 0)
            : new ClassMetrics(per.Sum(x => x.Precision * x.Support) / total, per.Sum(x => x.Recall * x.Support) / total, per.Sum(x => x.F1 * x.Support) / total, total);
        return new ClassificationReport(per, macro, weighted, m.Accuracy);
    }
}
