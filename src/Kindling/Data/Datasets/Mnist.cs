namespace Kindling.Data.Datasets;

/// <summary>
/// MNIST, Fashion-MNIST and KMNIST from their official IDX files (<c>train-images-idx3-ubyte[.gz]</c>,
/// <c>train-labels-idx1-ubyte[.gz]</c>, <c>t10k-...</c>), with torchvision's class names.
/// </summary>
public static class Mnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the files.</summary>
    public const string DebianFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>Class names by label, as torchvision names them.</summary>
    public static IReadOnlyList<string> ClassNames(MnistVariant variant) => variant switch
    {
        MnistVariant.Mnist => ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"],
        MnistVariant.FashionMnist => ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        MnistVariant.Kmnist => ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"],
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    /// <summary>The spec name of a variant: mnist, fashion-mnist, kmnist.</summary>
    public static string SpecName(MnistVariant variant) => variant switch
    {
        MnistVariant.FashionMnist => "fashion-mnist",
        MnistVariant.Kmnist => "kmnist",
        _ => "mnist",
    };

    /// <summary>
    /// Opens the train and test splits from <paramref name="folder"/> (the files themselves, or torchvision's
    /// <c>ROOT/MNIST/raw</c> layout). Fashion-MNIST with no folder reads Debian's package.
    /// </summary>
    public static DataSplits Open(MnistVariant variant, string? folder = null)
    {
        string spec = SpecName(variant);
        if (folder is null)
        {
            if (variant != MnistVariant.FashionMnist)
                throw new ArgumentException($"{spec}: no path given. Name the folder that holds the IDX files ({spec}:PATH), or use the download option.");
            folder = DebianFashionMnistFolder;
        }
        var dir = FindFolder(variant, folder);
        var classes = ClassNames(variant);
        IImageDataset Split(string prefix, string split)
        {
            var (pixels, count, rows, columns) = Idx.ReadImages(FindFile(dir, $"{prefix}-images-idx3-ubyte", variant));
            string labelsFile = FindFile(dir, $"{prefix}-labels-idx1-ubyte", variant);
            var labels = Idx.ReadLabels(labelsFile);
            if (labels.Length != count)
                throw new InvalidDataException($"{labelsFile}: {labels.Length} labels for {count} images; the images and labels files do not belong together.");
            for (int i = 0; i < labels.Length; i++)
                if ((uint)labels[i] >= (uint)classes.Count)
                    throw new InvalidDataException($"{labelsFile}: label {labels[i]} of image {i} is out of range; expected 0..{classes.Count - 1}.");
            return new InMemoryImageDataset($"{spec}:{folder} ({split})", pixels, labels, classes, new ImageShape(1, rows, columns));
        }
        return new DataSplits($"{spec}:{folder}", Split("train", "train"), Split("t10k", "test"), classes);
    }

    /// <summary>The message for a missing data set: where we looked and how to get it.</summary>
    internal static string HowToGet(MnistVariant variant) => variant switch
    {
        MnistVariant.FashionMnist => $"Install it with `apt-get install dataset-fashion-mnist` (files in {DebianFashionMnistFolder}), or use the download option.",
        _ => "Download the four IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) into it, or use the download option.",
    };

    static string FindFolder(MnistVariant variant, string folder)
    {
        string torchvisionName = variant switch { MnistVariant.FashionMnist => "FashionMNIST", MnistVariant.Kmnist => "KMNIST", _ => "MNIST" };
        string[] places = [folder, Path.Combine(folder, "raw"), Path.Combine(folder, torchvisionName, "raw")];
        foreach (var p in places)
            if (File.Exists(Path.Combine(p, "train-images-idx3-ubyte.gz")) || File.Exists(Path.Combine(p, "train-images-idx3-ubyte")))
                return p;
        throw new DirectoryNotFoundException($"{SpecName(variant)}: no train-images-idx3-ubyte[.gz] in {string.Join(", ", places.Select(p => $"'{p}'"))}. {HowToGet(variant)}");
    }

    static string FindFile(string dir, string name, MnistVariant variant)
    {
        foreach (var candidate in new[] { name + ".gz", name })
            if (File.Exists(Path.Combine(dir, candidate))) return Path.Combine(dir, candidate);
        throw new FileNotFoundException($"{SpecName(variant)}: '{Path.Combine(dir, name)}[.gz]' not found. {HowToGet(variant)}");
    }
}
