using Kindling.Data.Transforms;
using static TorchSharp.torch;

namespace Kindling.Tests.Data.Transforms;

public class DeterminismTests
{
    public DeterminismTests() => TestImages.EnsureLoaded();

    static ISampleTransform Pipeline() => new Compose(
        new RandomResizedCrop(12, scale: (0.5, 1)),
        new RandomCrop(12, padding: new[] { 2 }, paddingMode: PaddingMode.Reflect),
        new RandomHorizontalFlip(),
        new RandomApply(new ISampleTransform[] { new ColorJitter(0.4, 0.4, 0.4, 0.1) }, p: 0.8),
        new RandomRotation(15, Interpolation.Bilinear),
        new RandomGrayscale(0.2),
        new TrivialAugmentWide(),
        new ToTensor(),
        new GaussianBlur(3),
        new GaussianNoise(sigma: 0.05),
        new Normalize(new[] { 0.5, 0.5, 0.5 }, new[] { 0.25, 0.25, 0.25 }),
        new RandomErasing(p: 0.5),
        new Cutout(4, p: 0.5));

    [Fact]
    public void SameSeedSameOutputOnAnyThread()
    {
        var pipeline = Pipeline();
        float[] Run(int sample, int seed)
        {
            using var scope = NewDisposeScope();
            return TestImages.Floats(pipeline.Apply(TestImages.RandomU8(3, 16, 16, sample), new Random(seed)));
        }
        var serial = Enumerable.Range(0, 16).Select(i => Run(i, 1000 + i)).ToArray();
        var parallel = new float[16][];
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => parallel[i] = Run(i, 1000 + i));
        for (int i = 0; i < 16; i++) Assert.Equal(serial[i], parallel[i]);
    }

    [Fact]
    public void DifferentSamplesGetDifferentDraws()
    {
        var pipeline = Pipeline();
        using var scope = NewDisposeScope();
        var x = TestImages.RandomU8(3, 16, 16, 1);
        var outputs = Enumerable.Range(0, 8).Select(s => string.Join(",", TestImages.Floats(pipeline.Apply(x, new Random(s))))).ToArray();
        Assert.Equal(8, outputs.Distinct().Count());
        Assert.Equal(new long[] { 3, 12, 12 }, pipeline.Apply(x, new Random(0)).shape);
    }

    [Fact]
    public void RandomApplyAppliesAllOrNothing()
    {
        using var scope = NewDisposeScope();
        var x = TestImages.Ramp(1, 2, 2);
        var both = new RandomApply(new ISampleTransform[] { new RandomHorizontalFlip(1), new RandomVerticalFlip(1) }, p: 0.5);
        var rotated = x.rot90(2, (1, 2));
        int applied = 0;
        for (int s = 0; s < 200; s++)
        {
            var y = both.Apply(x, new Random(s));
            if (TestImages.Same(y, rotated)) applied++;
            else Assert.True(TestImages.Same(y, x));
        }
        Assert.InRange(applied, 70, 130);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomApply(Array.Empty<ISampleTransform>(), 1.5));
    }
}
