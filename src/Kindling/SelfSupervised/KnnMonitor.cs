using Kindling.Data.Loading;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>
/// The kNN monitor of a pretraining run (as in InstDisc and MoCo's CIFAR demo): every <see cref="Every"/> epochs (and at the
/// last), the encoder's features of the training split (read with the eval transform: no augmentation) are the labelled
/// memory bank, and the weighted kNN top-1 on the validation split is the task's <c>val_knn_accuracy</c>. Labels are read
/// for measuring only; training never sees them.
/// </summary>
/// <param name="Bank">A fresh pass over the training split with the eval transform (labelled), each time it is called.</param>
/// <param name="Classes">The number of classes.</param>
/// <param name="Every">Measure every this many epochs.</param>
/// <param name="LastEpoch">The run's last epoch (always measured); 0: none in particular.</param>
/// <param name="Knn">The classifier (k 200, temperature 0.1 by default).</param>
public sealed record KnnMonitor(Func<IEnumerable<Batch>> Bank, int Classes, int Every, int LastEpoch, KnnClassifier Knn)
{
    /// <summary>Whether epoch <paramref name="epoch"/> (1-based) is measured.</summary>
    public bool IsDue(int epoch) => Every > 0 && (epoch % Every == 0 || epoch == LastEpoch);

    /// <summary>How many of <paramref name="epochs"/> epochs a monitor measuring every <paramref name="every"/> epochs measures
    /// (for sizing a run before it is built: <c>training.epochs: auto</c>).</summary>
    public static int Measurements(int every, int epochs) =>
        // IsDue's epochs, counted: the multiples of every, and the last when it is not one.
        every <= 0 || epochs <= 0 ? 0 : epochs / every + (epochs % every == 0 ? 0 : 1);

    /// <summary>kNN top-1 of <paramref name="encoder"/> on <paramref name="validation"/> against the bank's features.</summary>
    public double Measure(nn.Module<Tensor, Tensor> encoder, IEnumerable<Batch> validation, ValidationContext context)
    {
        using var bank = FrozenFeatures.Extract(encoder, Bank(), context.Input);
        using var queries = FrozenFeatures.Extract(encoder, validation, context.Input);
        using var bankNormalized = bank.Normalized();
        using var queryNormalized = queries.Normalized();
        return Knn.Accuracy(bankNormalized, bank.Labels, queryNormalized, queries.Labels, Classes);
    }
}
