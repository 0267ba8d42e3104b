namespace Kindling.Data.Datasets;

/// <summary>One official file: its name, its MD5 (as torchvision checks it), and the addresses it is published at (mirrors, in order).</summary>
/// <param name="FileName">The file name, kept in the cache.</param>
/// <param name="Md5">Lower-case hexadecimal MD5 of the file.</param>
/// <param name="Urls">Full addresses to try in order.</param>
public sealed record DownloadResource(string FileName, string Md5, IReadOnlyList<string> Urls)
{
    /// <summary>The official files of a data set by spec kind (cifar10, cifar10-python, cifar100, cifar100-python, mnist, fashion-mnist, kmnist).</summary>
    public static IReadOnlyList<DownloadResource> For(string kind) => kind switch
    {
        "cifar10" => [Cifar("cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530")],
        "cifar10-python" => [Cifar("cifar-10-python.tar.gz", "c58f30108f718f92721af3b95e74349a")],
        "cifar100" or "cifar100-coarse" => [Cifar("cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8")],
        "cifar100-python" => [Cifar("cifar-100-python.tar.gz", "eb9058c3a382ffc7106e4002c42a8d85")],
        "mnist" => Idx(["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"],
            "f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432", "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"),
        "fashion-mnist" => Idx(["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe", "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"),
        "kmnist" => Idx(["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"],
            "bdb82020997e1d708af4cf47b453dcf7", "e144d726b3acfaa3e44228e80efcd344", "5c965bf0a639b31b8f53240b1b52f4d7", "7320c461ea6c1c855c0b718fb2a4b134"),
        _ => throw new ArgumentException($"no official download for '{kind}'; known: cifar10, cifar10-python, cifar100, cifar100-python, mnist, fashion-mnist, kmnist."),
    };

    static DownloadResource Cifar(string file, string md5) => new(file, md5, ["https://www.cs.toronto.edu/~kriz/" + file]);

    static DownloadResource[] Idx(string[] mirrors, string trainImages, string trainLabels, string testImages, string testLabels) =>
    [
        .. new[] { ("train-images-idx3-ubyte.gz", trainImages), ("train-labels-idx1-ubyte.gz", trainLabels), ("t10k-images-idx3-ubyte.gz", testImages), ("t10k-labels-idx1-ubyte.gz", testLabels) }
            .Select(f => new DownloadResource(f.Item1, f.Item2, [.. mirrors.Select(m => m + f.Item1)])),
    ];
}
