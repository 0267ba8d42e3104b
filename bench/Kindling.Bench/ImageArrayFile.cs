using Kindling.Data.Datasets;

namespace Kindling.Bench;

/// <summary>
/// The prepared images both sides of the end-to-end benchmark read, so the comparison is the
/// loader and the training loop, not JPEG decoding: PREFIX.u8 holds N x 32 x 32 x 3 uint8 pixels
/// (HWC, the CIFAR order of a numpy array) and PREFIX.labels N uint8 labels. The reference's
/// prepare_data.py writes them once from the shared CIFAR-10 JPEG split.
/// </summary>
public static class ImageArrayFile
{
    /// <summary>CIFAR-10's per-channel mean and std (of the training split).</summary>
    public static readonly double[] Mean = { 0.4914, 0.4822, 0.4465 }, Std = { 0.2470, 0.2435, 0.2616 };

    /// <summary>Reads PREFIX.u8 and PREFIX.labels as a 10-class 3x32x32 data set.</summary>
    public static InMemoryImageDataset Read(string prefix)
    {
        string pixelsPath = prefix + ".u8", labelsPath = prefix + ".labels";
        foreach (var p in new[] { pixelsPath, labelsPath })
            if (!File.Exists(p))
                throw new FileNotFoundException($"{p} does not exist: write it with `/usr/bin/python3 bench/reference/prepare_data.py --out {prefix}`.", p);
        var shape = new ImageShape(3, 32, 32);
        var pixels = File.ReadAllBytes(pixelsPath);
        var labels = File.ReadAllBytes(labelsPath).Select(b => (int)b).ToArray();
        if (pixels.LongLength != (long)labels.Length * shape.Size)
            throw new InvalidDataException($"{pixelsPath} holds {pixels.LongLength} bytes, but {labels.Length} labels in {labelsPath} need {(long)labels.Length * shape.Size} (32x32x3 each).");
        int classes = labels.Length == 0 ? 10 : Math.Max(10, labels.Max() + 1);
        return new InMemoryImageDataset(Path.GetFileName(prefix), pixels, labels, Enumerable.Range(0, classes).Select(c => $"class{c}").ToArray(), shape);
    }
}
