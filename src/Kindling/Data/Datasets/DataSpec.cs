namespace Kindling.Data.Datasets;

/// <summary>
/// A data set named as on the command line: <c>KIND[:PATH]</c>. Kinds: <c>cifar10</c>, <c>cifar100</c> (fine labels),
/// <c>cifar100-coarse</c> (CIFAR-100 with its 20 coarse labels), <c>mnist</c>, <c>kmnist</c>, <c>fashion-mnist</c>, <c>imagefolder</c>,
/// <c>images</c> (pictures without labels, at any depth: for generative and self-supervised training).
/// PATH is a folder or the official archive. Without a PATH the cache is used (and filled when downloading is
/// allowed); <c>fashion-mnist</c> first looks in Debian's package folder. <c>imagefolder</c> and <c>images</c> need a PATH.
/// </summary>
public sealed record DataSpec(string Kind, string? Path)
{
    /// <summary>The kinds <see cref="Parse"/> accepts.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["cifar10", "cifar100", "cifar100-coarse", "mnist", "kmnist", "fashion-mnist", "imagefolder", "images"];

    /// <summary>Parses <c>KIND[:PATH]</c>; the kind is case-insensitive.</summary>
    public static DataSpec Parse(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
            throw new ArgumentException($"an empty data spec; expected KIND[:PATH] with KIND one of {string.Join(", ", Kinds)}.");
        int colon = spec.IndexOf(':');
        string kind = (colon < 0 ? spec : spec[..colon]).Trim().ToLowerInvariant();
        string? path = colon < 0 ? null : spec[(colon + 1)..];
        if (path is { Length: 0 }) path = null;
        if (!Kinds.Contains(kind))
            throw new ArgumentException($"data spec '{spec}': unknown kind '{kind}'; known kinds: {string.Join(", ", Kinds)} (e.g. cifar10:/data/cifar-10-batches-bin, fashion-mnist, imagefolder:/data/pets).");
        if (kind == "imagefolder" && path is null)
            throw new ArgumentException($"data spec '{spec}': imagefolder needs a path: imagefolder:PATH, PATH a folder of class folders or a .tar.gz of one.");
        if (kind == "images" && path is null)
            throw new ArgumentException($"data spec '{spec}': images needs a path: images:PATH, PATH a folder of pictures (unlabelled, at any depth) or a .tar.gz of one.");
        if (path is not null && path.StartsWith('~'))
            path = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~').TrimStart('/'));
        return new DataSpec(kind, path);
    }

    public override string ToString() => Path is null ? Kind : $"{Kind}:{Path}";

    /// <summary>
    /// Reads the data set: its train split, its test split where the format has one, and its class names
    /// (none for <c>images</c>, whose splits have <see cref="IImageDataset.HasLabels"/> false).
    /// </summary>
    public DataSplits Open(DataOpenOptions? options = null)
    {
        options ??= new DataOpenOptions();
        return Kind switch
        {
            "cifar10" => Cifar.Open10(Path ?? FromCache(options, "cifar10")),
            "cifar100" => Cifar.Open100(Path ?? FromCache(options, "cifar100")),
            "cifar100-coarse" => Cifar.Open100(Path ?? FromCache(options, "cifar100"), CifarLabels.Coarse),
            "mnist" => Mnist.Open(MnistVariant.Mnist, Path ?? FromCache(options, "mnist")),
            "kmnist" => Mnist.Open(MnistVariant.Kmnist, Path ?? FromCache(options, "kmnist")),
            "fashion-mnist" => Mnist.Open(MnistVariant.FashionMnist, Path ?? FashionMnistFolder(options)),
            "imagefolder" => OpenImageFolder(Path!, options, labelled: true),
            "images" => OpenImageFolder(Path!, options, labelled: false),
            _ => throw new ArgumentException($"unknown data kind '{Kind}'; known kinds: {string.Join(", ", Kinds)}."),
        };
    }

    static DataSplits OpenImageFolder(string path, DataOpenOptions options, bool labelled)
    {
        var folderOptions = options.ImageFolder.Warning is null && options.Log is not null ? options.ImageFolder with { Warning = options.Log } : options.ImageFolder;
        var train = labelled ? ImageFolder.Load(path, folderOptions) : ImageFolder.LoadUnlabelled(path, folderOptions);
        return new DataSplits(train.Name, train, null, train.Classes);
    }

    string FashionMnistFolder(DataOpenOptions options) =>
        File.Exists(System.IO.Path.Combine(Mnist.DebianFashionMnistFolder, "train-images-idx3-ubyte.gz")) ? Mnist.DebianFashionMnistFolder : FromCache(options, "fashion-mnist");

    /// <summary>The cached copy of <paramref name="kind"/>'s official files, downloaded first when allowed.</summary>
    string FromCache(DataOpenOptions options, string kind)
    {
        var cache = options.CacheDirectory ?? DatasetDownloader.DefaultCacheDirectory;
        var resources = DownloadResource.For(kind);
        var folder = System.IO.Path.Combine(cache, kind);
        if (resources.All(r => File.Exists(System.IO.Path.Combine(folder, r.FileName))))
            return kind.StartsWith("cifar", StringComparison.Ordinal) ? System.IO.Path.Combine(folder, resources[0].FileName) : folder;
        if (options.Download)
        {
            using var downloader = new DatasetDownloader(cache, options.BaseUrl) { Log = options.Log };
            downloader.EnsureAll(kind);
            return kind.StartsWith("cifar", StringComparison.Ordinal) ? System.IO.Path.Combine(folder, resources[0].FileName) : folder;
        }
        string howTo = Kind switch
        {
            "fashion-mnist" => $"Install it with `apt-get install dataset-fashion-mnist` (it goes to {Mnist.DebianFashionMnistFolder}), name a folder (fashion-mnist:PATH), or download it (kindling data --spec fashion-mnist --download).",
            _ when Kind.StartsWith("cifar", StringComparison.Ordinal) => $"Name a folder or the official archive ({Kind}:PATH; archives at {Cifar.HomePage}), or download it (kindling data --spec {Kind} --download).",
            _ => $"Name the folder of its IDX files ({Kind}:PATH), or download it (kindling data --spec {Kind} --download).",
        };
        string looked = Kind == "fashion-mnist" ? $"{Mnist.DebianFashionMnistFolder} and {folder}" : folder;
        throw new DirectoryNotFoundException($"{Kind}: no path given and no copy found (looked in {looked}). {howTo}");
    }
}
