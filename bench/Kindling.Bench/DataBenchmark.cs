using Kindling.Data.Transforms;
using Kindling.Models;

namespace Kindling.Bench;

/// <summary>
/// `kindling bench data`: the loader's images/s with the standard CIFAR augmentation (random crop
/// with padding, flip, normalize) and with RandAugment in front, on 32x32 RGB and 28x28 gray
/// images, at each worker count, beside the rate at which the seed CNN consumes images in training.
/// The goal: standard augmentation at one worker is at least 20x the training rate, so the loader
/// never stalls training.
/// </summary>
public static class DataBenchmark
{
    /// <summary>One measured case.</summary>
    public sealed record Case(string Data, string Augmentation, int Workers, double ImagesPerSecond, double TimesTrainingRate);

    /// <summary>Everything one run measured.</summary>
    public sealed record Report(double TrainingImagesPerSecond, int Batch, int Images, IReadOnlyList<Case> Cases);

    public static ISampleTransform Standard(int size, int padding, double[] mean, double[] std) => new Compose(
        new RandomCrop(size, new[] { padding }), new RandomHorizontalFlip(), new ToTensor(), new Normalize(mean, std));

    public static ISampleTransform WithRandAugment(int size, int padding, double[] mean, double[] std) => new Compose(
        new RandomCrop(size, new[] { padding }), new RandomHorizontalFlip(), new RandAugment(), new ToTensor(), new Normalize(mean, std));

    /// <param name="images">Images per data set (synthetic, uint8).</param>
    /// <param name="workers">Worker counts to measure.</param>
    /// <param name="batch">Batch size for loader and training.</param>
    /// <param name="trainingSteps">Timed training steps of the seed CNN (0: skip and report 0).</param>
    /// <param name="progress">Called with each case as it is measured.</param>
    public static Report Run(int images, IReadOnlyList<int> workers, int batch, int trainingSteps, Action<string>? progress = null)
    {
        double[] rgbMean = { 0.4914, 0.4822, 0.4465 }, rgbStd = { 0.2470, 0.2435, 0.2616 }, grayMean = { 0.2860 }, grayStd = { 0.3530 };
        var rgb = LoaderRate.RandomImages(images, 3, 32, classes: 100);
        var gray = LoaderRate.RandomImages(images, 1, 28, classes: 10, seed: 1);

        double training = 0;
        if (trainingSteps > 0)
        {
            progress?.Invoke("seed CNN training rate...");
            using var model = new SeedCnn(numClasses: 100);
            training = TrainingRate.ImagesPerSecond(model, batch, 3, 32, 100, steps: trainingSteps, warmup: 1);
        }

        var cases = new List<Case>();
        foreach (var (data, name, augmentations) in new[]
        {
            (rgb, "32x32 RGB", new (string, ISampleTransform)[] { ("crop+flip+normalize", Standard(32, 4, rgbMean, rgbStd)), ("+RandAugment", WithRandAugment(32, 4, rgbMean, rgbStd)) }),
            (gray, "28x28 gray", new (string, ISampleTransform)[] { ("crop+flip+normalize", Standard(28, 2, grayMean, grayStd)), ("+RandAugment", WithRandAugment(28, 2, grayMean, grayStd)) }),
        })
        {
            foreach (var (augmentation, transform) in augmentations)
                foreach (var w in workers)
                {
                    progress?.Invoke($"{name}, {augmentation}, {w} worker(s)...");
                    double rate = LoaderRate.ImagesPerSecond(data, w, transform, batch);
                    cases.Add(new Case(name, augmentation, w, rate, training > 0 ? rate / training : 0));
                }
        }
        return new Report(training, batch, images, cases);
    }
}
