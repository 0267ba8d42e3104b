namespace Kindling.Data.Datasets;

/// <summary>
/// CIFAR-10 and CIFAR-100 in both official layouts (binary and python pickles), read from an
/// extracted folder or straight from the official <c>.tar.gz</c>. Images come out HWC, as torchvision's
/// <c>CIFAR10.data</c> is; labels and class names as in the official meta files.
/// </summary>
public static class Cifar
{
    const int ImageBytes = 3 * 32 * 32;
    static readonly ImageShape Shape = new(3, 32, 32);

    /// <summary>Where the official archives are published (the download option fetches them from there).</summary>
    public const string HomePage = "https://www.cs.toronto.edu/~kriz/cifar.html";

    /// <summary>Opens CIFAR-10: <paramref name="path"/> is <c>cifar-10-batches-bin</c>, <c>cifar-10-batches-py</c>, a folder holding one, or an official archive.</summary>
    public static DataSplits Open10(string path) => Open(path, hundred: false, CifarLabels.Fine);

    /// <summary>Opens CIFAR-100 with fine (100) or coarse (20) labels: <paramref name="path"/> is <c>cifar-100-binary</c>, <c>cifar-100-python</c>, a folder holding one, or an official archive.</summary>
    public static DataSplits Open100(string path, CifarLabels labels = CifarLabels.Fine) => Open(path, hundred: true, labels);

    static DataSplits Open(string path, bool hundred, CifarLabels labels)
    {
        string kind = hundred ? "cifar100" : "cifar10";
        var layout = Layout.Find(path, hundred, labels);
        var files = layout.AllFiles.ToHashSet();
        var content = new Dictionary<string, byte[]>();
        if (layout.Archive is { } archive)
        {
            // One streaming pass over the archive, for whichever official folder it holds: the archive
            // is read once, and only the members we need are kept.
            var options = Layout.InArchive(archive, hundred, labels);
            var raw = new Dictionary<string, byte[]>();
            var wanted = options.SelectMany(o => o.AllFiles.Select(f => $"{o.Folder}/{f}")).ToHashSet();
            ArchiveReader.ForEachFile(archive, wanted.Contains, (n, bytes) => raw[n] = bytes);
            layout = options.FirstOrDefault(o => o.AllFiles.Any(f => raw.ContainsKey($"{o.Folder}/{f}")))
                ?? throw new InvalidDataException($"{archive}: the archive holds no {string.Join(" or ", options.Select(o => o.Folder + "/"))}; expected an official {(hundred ? "CIFAR-100" : "CIFAR-10")} archive from {HomePage}.");
            files = layout.AllFiles.ToHashSet();
            foreach (var f in files)
                if (raw.TryGetValue($"{layout.Folder}/{f}", out var bytes)) content[f] = bytes;
        }
        else
        {
            foreach (var f in files)
            {
                var full = Path.Combine(layout.Folder, f);
                if (File.Exists(full)) content[f] = File.ReadAllBytes(full);
            }
        }
        string Where(string f) => layout.Archive is { } a ? $"{a}:{layout.Folder}/{f}" : Path.Combine(layout.Folder, f);
        var missing = files.Where(f => !content.ContainsKey(f)).ToList();
        if (missing.Count > 0)
            throw new FileNotFoundException($"{kind}: {string.Join(", ", missing.Select(Where))} not found. Expected the complete official {layout.Folder.Split('/')[^1]} layout; get it from {HomePage} or use the download option.");

        var classes = layout.Python
            ? ReadPythonClasses(content[layout.Meta], Where(layout.Meta), hundred ? (labels == CifarLabels.Coarse ? "coarse_label_names" : "fine_label_names") : "label_names")
            : ReadTextClasses(content[layout.Meta], Where(layout.Meta));
        int expectedClasses = !hundred ? 10 : labels == CifarLabels.Coarse ? 20 : 100;
        if (classes.Length != expectedClasses)
            throw new InvalidDataException($"{Where(layout.Meta)}: {classes.Length} class names; expected {expectedClasses}.");

        IImageDataset Split(string[] batches, string split)
        {
            // Each raw batch is released as soon as its images are located, and the images are copied once,
            // straight into the split's buffer: peak memory is the raw files plus the result.
            var parts = new List<Batch>();
            foreach (var b in batches)
            {
                parts.Add(layout.Python ? ParsePython(content[b], Where(b), hundred, labels) : ParseBinary(content[b], Where(b), hundred, labels));
                if (layout.Python) content.Remove(b);
            }
            string label = hundred && labels == CifarLabels.Coarse ? "cifar100-coarse" : kind;
            // A file cut on a record boundary parses cleanly (45,000 training images instead of 50,000). The official
            // CIFAR-10 batches all hold 10,000 records, so a batch unlike the others is the damaged one. (Counts are not
            // pinned to 10,000 so that small files in the official layout still serve tests and examples.)
            if (parts.Count > 1 && parts.GroupBy(p => p.Labels.Length).OrderByDescending(g => g.Count()).First().Key is int usual)
                for (int b = 0; b < parts.Count; b++)
                    if (parts[b].Labels.Length != usual)
                        throw new InvalidDataException($"{Where(batches[b])}: {parts[b].Labels.Length:N0} records, but the other {split} batches hold {usual:N0} each " +
                                                       $"(the official files hold {OfficialBatchRecords:N0} each); the file is truncated or damaged. Re-extract or re-download it.");
            for (int b = 0; b < parts.Count; b++)
                for (int i = 0; i < parts[b].Labels.Length; i++)
                    if ((uint)parts[b].Labels[i] >= (uint)classes.Length)
                        throw new InvalidDataException($"{Where(batches[b])}: label {parts[b].Labels[i]} of image {i} is out of range; expected 0..{classes.Length - 1}. The file is damaged or not {label} data.");
            var pixels = new byte[parts.Sum(p => (long)p.Labels.Length) * ImageBytes];
            var allLabels = new int[parts.Sum(p => p.Labels.Length)];
            int first = 0;
            for (int b = 0; b < parts.Count; b++)
            {
                var part = parts[b];
                int offset = first;
                Parallel.For(0, part.Labels.Length, i => PixelLayouts.Copy(part.Data.AsSpan(part.First + i * part.Stride, ImageBytes), PixelLayout.Chw,
                    pixels.AsSpan((offset + i) * ImageBytes, ImageBytes), PixelLayout.Hwc, Shape));
                part.Labels.CopyTo(allLabels, first);
                first += part.Labels.Length;
                parts[b] = part with { Data = [] };
                content.Remove(batches[b]);
            }
            return new InMemoryImageDataset($"{label}:{layout.Display} ({split})", pixels, allLabels, classes, Shape);
        }
        var train = Split(layout.Train, "train");
        var test = Split([layout.Test], "test");
        CheckOfficialCounts(train.Count, test.Count, layout.Train.Select(Where).ToArray(), Where(layout.Test));
        return new DataSplits($"{(hundred && labels == CifarLabels.Coarse ? "cifar100-coarse" : kind)}:{layout.Display}", train, test, classes);
    }

    const int OfficialBatchRecords = 10_000;
    const int OfficialTrainRecords = 50_000, OfficialTestRecords = 10_000;

    /// <summary>
    /// A file cut on a record boundary parses cleanly, and CIFAR-100's single train.bin has no sibling batches to be
    /// compared with. Counts cannot be pinned to the official ones, because small files in the official layout serve
    /// tests and examples; but a split that holds exactly its official count says the archive is the official one,
    /// and then the other split must hold its official count too. (Both splits cut at once is not detected.)
    /// </summary>
    static void CheckOfficialCounts(int train, int test, string[] trainFiles, string testFile)
    {
        if (test == OfficialTestRecords && train != OfficialTrainRecords)
            throw new InvalidDataException($"{string.Join(", ", trainFiles)}: {train:N0} training records, but the test split holds the official {OfficialTestRecords:N0}, " +
                                           $"so the official {OfficialTrainRecords:N0} were expected; the file is truncated or damaged. Re-extract or re-download it.");
        if (train == OfficialTrainRecords && test != OfficialTestRecords)
            throw new InvalidDataException($"{testFile}: {test:N0} test records, but the training split holds the official {OfficialTrainRecords:N0}, " +
                                           $"so the official {OfficialTestRecords:N0} were expected; the file is truncated or damaged. Re-extract or re-download it.");
    }

    /// <summary>One batch file's images, CHW, image i at <c>Data[First + i * Stride]</c>, and their labels.</summary>
    sealed record Batch(byte[] Data, int First, int Stride, int[] Labels);

    /// <summary>Binary records: label byte(s) then 3072 bytes CHW (CIFAR-100: coarse then fine label).</summary>
    static Batch ParseBinary(byte[] data, string file, bool hundred, CifarLabels labels)
    {
        int labelBytes = hundred ? 2 : 1, record = labelBytes + ImageBytes;
        if (data.Length == 0 || data.Length % record != 0)
            throw new InvalidDataException($"{file}: {data.Length} bytes is not a whole number of {record}-byte records ({labelBytes} label byte{(hundred ? "s" : "")} + {ImageBytes} pixels); the file is truncated or not a {(hundred ? "CIFAR-100" : "CIFAR-10")} binary batch. Re-extract or re-download it.");
        int labelOffset = hundred && labels == CifarLabels.Fine ? 1 : 0;
        var result = new int[data.Length / record];
        for (int i = 0; i < result.Length; i++) result[i] = data[i * record + labelOffset];
        return new Batch(data, labelBytes, record, result);
    }

    static Batch ParsePython(byte[] pickle, string file, bool hundred, CifarLabels labels)
    {
        var dict = NumpyPickle.LoadDict(pickle, file);
        var data = NumpyPickle.UInt8Array(dict, "data", file);
        var result = NumpyPickle.IntList(dict, !hundred ? "labels" : labels == CifarLabels.Coarse ? "coarse_labels" : "fine_labels", file);
        if (data.Shape.Length != 2 || data.Shape[1] != ImageBytes || data.Shape[0] != result.Length)
            throw new InvalidDataException($"{file}: 'data' has shape ({string.Join(", ", data.Shape)}) for {result.Length} labels; expected ({result.Length}, {ImageBytes}).");
        return new Batch(data.Data, 0, ImageBytes, result);
    }

    static string[] ReadTextClasses(byte[] text, string file)
    {
        var names = System.Text.Encoding.UTF8.GetString(text).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        return names.Length > 0 ? names : throw new InvalidDataException($"{file}: no class names; expected one name a line.");
    }

    static string[] ReadPythonClasses(byte[] pickle, string file, string key) =>
        NumpyPickle.StringList(NumpyPickle.LoadDict(pickle, file), key, file);

    /// <summary>Where the files are: a folder on disk, or a folder inside an archive.</summary>
    sealed record Layout(string? Archive, string Folder, string Display, bool Python, string[] Train, string Test, string Meta)
    {
        public IEnumerable<string> AllFiles => Train.Append(Test).Append(Meta);

        static readonly (string Folder, bool Python)[] Cifar10Folders = [("cifar-10-batches-bin", false), ("cifar-10-batches-py", true)];
        static readonly (string Folder, bool Python)[] Cifar100Folders = [("cifar-100-binary", false), ("cifar-100-python", true)];

        static Layout Make(string? archive, string folder, string display, bool python, bool hundred, CifarLabels labels) => (hundred, python) switch
        {
            (false, false) => new(archive, folder, display, false, [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")], "test_batch.bin", "batches.meta.txt"),
            (false, true) => new(archive, folder, display, true, [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}")], "test_batch", "batches.meta"),
            (true, false) => new(archive, folder, display, false, ["train.bin"], "test.bin", labels == CifarLabels.Coarse ? "coarse_label_names.txt" : "fine_label_names.txt"),
            (true, true) => new(archive, folder, display, true, ["train"], "test", "meta"),
        };

        /// <summary>The layouts an official archive may hold (its folder names are fixed).</summary>
        public static List<Layout> InArchive(string archive, bool hundred, CifarLabels labels) =>
            [.. (hundred ? Cifar100Folders : Cifar10Folders).Select(c => Make(archive, c.Folder, archive, c.Python, hundred, labels))];

        public static Layout Find(string path, bool hundred, CifarLabels labels)
        {
            var candidates = hundred ? Cifar100Folders : Cifar10Folders;
            string name = hundred ? "CIFAR-100" : "CIFAR-10";
            if (ArchiveReader.IsArchive(path)) return InArchive(path, hundred, labels)[0];
            if (!Directory.Exists(path))
                throw new DirectoryNotFoundException($"{name}: '{path}' does not exist. Expected a folder holding {string.Join(" or ", candidates.Select(c => c.Folder))}, or the official .tar.gz; get it from {HomePage} or use the download option.");
            foreach (var (f, p) in candidates)
                if (Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))) == f) return Make(null, path, path, p, hundred, labels);
            foreach (var (f, p) in candidates)
                if (Directory.Exists(Path.Combine(path, f))) return Make(null, Path.Combine(path, f), path, p, hundred, labels);
            // A renamed folder: recognise the layout by its files.
            var bin = Make(null, path, path, false, hundred, labels);
            if (File.Exists(Path.Combine(path, bin.Test))) return bin;
            var py = Make(null, path, path, true, hundred, labels);
            if (File.Exists(Path.Combine(path, py.Test))) return py;
            foreach (var archive in new[] { hundred ? "cifar-100-binary.tar.gz" : "cifar-10-binary.tar.gz", hundred ? "cifar-100-python.tar.gz" : "cifar-10-python.tar.gz" })
                if (File.Exists(Path.Combine(path, archive))) return Find(Path.Combine(path, archive), hundred, labels);
            throw new DirectoryNotFoundException($"{name}: no {string.Join(" or ", candidates.Select(c => c.Folder))} (nor their official archives) in '{path}'. Get the data from {HomePage} or use the download option.");
        }
    }
}
