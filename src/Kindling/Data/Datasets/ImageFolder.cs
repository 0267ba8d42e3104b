using SkiaSharp;

namespace Kindling.Data.Datasets;

/// <summary>
/// torchvision's <c>ImageFolder</c>: <c>root/&lt;class&gt;/**/*.png|jpg|jpeg|bmp|webp</c>, classes sorted by ordinal
/// name, decoded with SkiaSharp in parallel and held in memory. The root may also be a <c>.tar.gz</c> holding such
/// a tree (read in one streaming pass, nothing extracted to disk). Samples are ordered as torchvision orders them:
/// by class, then folder by folder (sorted), then by file name. Unlike torchvision, names starting with '.'
/// (.ipynb_checkpoints, .DS_Store) are ignored. <see cref="LoadUnlabelled"/> reads a folder of pictures without
/// classes (the <c>images:PATH</c> spec), for generative and self-supervised training.
/// </summary>
public static class ImageFolder
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];

    /// <summary>Whether a file name has one of the picture extensions read (case-insensitive).</summary>
    public static bool IsImageFile(string name) => Extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads every picture under <paramref name="path"/> (a folder or a tar archive of one).</summary>
    public static InMemoryImageDataset Load(string path, ImageFolderOptions? options = null)
    {
        options = CheckOptions(options, "imagefolder");
        var (classes, files) = ArchiveReader.IsArchive(path) ? ListArchive(path) : ListFolder(path);
        return Decode($"imagefolder:{path}", classes, files, options, labelled: true);
    }

    /// <summary>
    /// Reads every picture under <paramref name="path"/> (a folder or a tar archive of one), at any depth and
    /// without labels: subfolders are only where pictures are kept, not classes. Samples are in walk order
    /// (a folder's files by name, then its subfolders'); names starting with '.' are ignored at every level.
    /// The result has <see cref="InMemoryImageDataset.HasLabels"/> false and no classes.
    /// </summary>
    public static InMemoryImageDataset LoadUnlabelled(string path, ImageFolderOptions? options = null)
    {
        options = CheckOptions(options, "images");
        List<Entry> files;
        if (ArchiveReader.IsArchive(path))
        {
            var pictures = new List<(string Name, byte[] Bytes)>();
            ArchiveReader.ForEachFile(path, IsImageFile, (n, b) => pictures.Add((n, b)));
            files = pictures.Where(p => !Hidden(p.Name)).OrderBy(p => p.Name, WalkOrder)
                .Select(p => new Entry($"{path}:{p.Name}", -1, () => p.Bytes)).ToList();
        }
        else
        {
            if (!Directory.Exists(path))
                throw new DirectoryNotFoundException($"images: '{path}' does not exist. Expected a folder of pictures (*.png|jpg|jpeg|bmp|webp, at any depth), or a .tar.gz of one.");
            files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => IsImageFile(f) && !Hidden(Path.GetRelativePath(path, f)))
                .OrderBy(f => f, WalkOrder).Select(f => new Entry(f, -1, () => File.ReadAllBytes(f))).ToList();
        }
        if (files.Count == 0)
            throw new InvalidDataException($"images: '{path}' holds no pictures (.png, .jpg, .jpeg, .bmp, .webp) at any depth.");
        return Decode($"images:{path}", [], files, options, labelled: false);
    }

    static ImageFolderOptions CheckOptions(ImageFolderOptions? options, string kind)
    {
        options ??= new ImageFolderOptions();
        if (options.ResizeHeight is null != options.ResizeWidth is null || options.ResizeHeight <= 0 || options.ResizeWidth <= 0)
            throw new ArgumentException($"{kind}: resize needs a positive height and width together; got {options.ResizeHeight}x{options.ResizeWidth}.");
        return options;
    }

    /// <summary>Whether any part of a relative path starts with '.' (.ipynb_checkpoints, .DS_Store).</summary>
    static bool Hidden(string relative) => relative.Split('/', '\\').Any(part => part.StartsWith('.'));

    /// <summary>One picture to decode: where it is (for messages), its label, and how to get its bytes.</summary>
    sealed record Entry(string Where, int Label, Func<byte[]> Bytes);

    static (string[] Classes, List<Entry> Files) ListFolder(string root)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"imagefolder: '{root}' does not exist. Expected a folder with one subfolder of pictures per class (root/<class>/*.png|jpg|jpeg|bmp|webp), or a .tar.gz of one.");
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
            throw new InvalidDataException($"imagefolder: '{root}' has no class folders. Expected root/<class>/*.png|jpg|jpeg|bmp|webp; for pictures without classes (unlabelled), use images:{root}.");
        var files = new List<Entry>();
        for (int c = 0; c < classes.Length; c++)
        {
            var dir = Path.Combine(root, classes[c]);
            var pictures = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                .Where(f => IsImageFile(f) && !Path.GetFileName(f).StartsWith('.'))
                .OrderBy(f => f, WalkOrder).ToList();
            if (pictures.Count == 0) throw EmptyClass(dir);
            int label = c;
            files.AddRange(pictures.Select(f => new Entry(f, label, () => File.ReadAllBytes(f))));
        }
        return (classes, files);
    }

    static (string[] Classes, List<Entry> Files) ListArchive(string archive)
    {
        var pictures = new List<(string Name, byte[] Bytes)>();
        var directories = new List<string>();
        ArchiveReader.ForEachFile(archive, IsImageFile, (n, b) => pictures.Add((n, b)), directories.Add);
        if (pictures.Count == 0)
            throw new InvalidDataException($"imagefolder: '{archive}' holds no pictures. Expected <root>/<class>/*.png|jpg|jpeg|bmp|webp inside the archive.");
        // The class folder of a picture is the first folder below the root; the root is the deepest folder
        // all pictures share, less one level when they share a class folder too (one class only).
        static string Parent(string p) => p.LastIndexOf('/') is var i and >= 0 ? p[..i] : "";
        string root = pictures.Select(p => Parent(p.Name)).Aggregate(CommonFolder);
        if (pictures.All(p => Parent(p.Name) == root)) root = Parent(root);
        string ClassOf(string name)
        {
            var rest = root.Length == 0 ? name : name[(root.Length + 1)..];
            int slash = rest.IndexOf('/');
            return slash < 0 ? "" : rest[..slash];
        }
        var loose = pictures.FirstOrDefault(p => ClassOf(p.Name) == "");
        if (loose.Name is not null)
            throw new InvalidDataException($"imagefolder: {archive}:{loose.Name} is not inside a class folder. Expected {(root.Length > 0 ? root + "/" : "")}<class>/<picture>; for pictures without classes (unlabelled), use images:{archive}.");
        var classes = pictures.Select(p => ClassOf(p.Name))
            .Concat(directories.Where(d => Parent(d) == root && d.Length > root.Length).Select(d => d[(root.Length == 0 ? 0 : root.Length + 1)..]))
            .Where(c => !c.StartsWith('.')).Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i);
        var files = pictures
            .Select(p => new Entry($"{archive}:{p.Name}", index[ClassOf(p.Name)], () => p.Bytes)).ToList();
        var empty = classes.FirstOrDefault(c => !files.Any(f => f.Label == index[c]));
        if (empty is not null) throw EmptyClass($"{archive}:{(root.Length > 0 ? root + "/" : "")}{empty}");
        // Stable order: by label, then by name, as a folder walk gives.
        files.Sort((a, b) => a.Label != b.Label ? a.Label.CompareTo(b.Label) : WalkOrder.Compare(a.Where, b.Where));
        return (classes, files);
    }

    /// <summary>os.walk's order, sorted: a folder's files before its subfolders' files, names by ordinal.</summary>
    static readonly Comparer<string> WalkOrder = Comparer<string>.Create((a, b) =>
    {
        int slashA = a.LastIndexOfAny(['/', '\\']), slashB = b.LastIndexOfAny(['/', '\\']);
        int folders = string.CompareOrdinal(a[..Math.Max(0, slashA)], b[..Math.Max(0, slashB)]);
        return folders != 0 ? folders : string.CompareOrdinal(a[(slashA + 1)..], b[(slashB + 1)..]);
    });

    static string CommonFolder(string a, string b)
    {
        var x = a.Split('/');
        var y = b.Split('/');
        int n = 0;
        while (n < x.Length && n < y.Length && x[n] == y[n]) n++;
        return string.Join('/', x.Take(n));
    }

    static InvalidDataException EmptyClass(string where) =>
        new($"imagefolder: class folder '{where}' has no pictures (.png, .jpg, .jpeg, .bmp, .webp). Remove the folder or add its pictures: every class needs at least one.");

    /// <summary>A decoded picture: RGB bytes (HWC), its size, and whether the file itself was grayscale.</summary>
    sealed record Decoded(byte[] Rgb, int Height, int Width, bool Gray);

    static InMemoryImageDataset Decode(string name, string[] classes, List<Entry> files, ImageFolderOptions options, bool labelled)
    {
        var decoded = new Decoded?[files.Count];
        var errors = new string?[files.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism) };
        Parallel.For(0, files.Count, parallel, (i, state) =>
        {
            try
            {
                decoded[i] = DecodeOne(files[i].Bytes(), options.ResizeHeight, options.ResizeWidth, out errors[i]);
            }
            catch (IOException e)
            {
                errors[i] = e.Message;
            }
            if (errors[i] is not null && options.Strict) state.Stop();
        });
        var skipped = Enumerable.Range(0, files.Count).Where(i => errors[i] is not null).ToList();
        if (skipped.Count > 0)
        {
            if (options.Strict)
                throw new InvalidDataException($"{name}: {files[skipped[0]].Where} cannot be decoded ({errors[skipped[0]]}); expected a PNG, JPEG, BMP or WebP picture. Remove or replace it (or read without strict to skip such files).");
            options.Warning?.Invoke($"{name}: skipped {skipped.Count} file(s) that are not readable pictures: {string.Join(", ", skipped.Select(i => $"{files[i].Where} ({errors[i]})"))}");
        }
        var kept = Enumerable.Range(0, files.Count).Where(i => decoded[i] is not null).ToList();
        var noPictures = classes.Select((c, label) => (c, label)).FirstOrDefault(t => !kept.Any(i => files[i].Label == t.label));
        if (noPictures.c is not null)
            throw new InvalidDataException($"imagefolder: class '{noPictures.c}' has no readable pictures (all were skipped); every class needs at least one.");
        if (kept.Count == 0)
            throw new InvalidDataException($"{name}: none of its {files.Count} pictures could be decoded (all were skipped); expected PNG, JPEG, BMP or WebP pictures.");

        var first = decoded[kept[0]]!;
        foreach (var i in kept)
            if (decoded[i]!.Height != first.Height || decoded[i]!.Width != first.Width)
                throw new InvalidDataException($"imagefolder: {files[i].Where} is {decoded[i]!.Width}x{decoded[i]!.Height} (width x height) but {files[kept[0]].Where} is {first.Width}x{first.Height}; all pictures must share one size. To read mixed sizes, resize them as they are read: data.resize: [{first.Height}, {first.Width}] in a recipe (--set data.resize=[{first.Height},{first.Width}]), or ImageFolderOptions.ResizeHeight/ResizeWidth in code.");

        int channels = options.Color switch
        {
            ImageColorMode.Grayscale => 1,
            ImageColorMode.Auto => kept.All(i => decoded[i]!.Gray) ? 1 : 3,
            _ => 3,
        };
        var shape = new ImageShape(channels, first.Height, first.Width);
        if ((long)kept.Count * shape.Size > Array.MaxLength)
            throw new InvalidDataException($"{name}: {kept.Count} pictures of {shape} ({(long)kept.Count * shape.Size >> 20} MiB) do not fit in one in-memory buffer; ask for a smaller resize or split the folder.");
        var pixels = new byte[(long)kept.Count * shape.Size];
        var labels = new int[kept.Count];
        Parallel.For(0, kept.Count, parallel, k =>
        {
            var d = decoded[kept[k]]!;
            labels[k] = files[kept[k]].Label;
            var target = pixels.AsSpan(k * shape.Size, shape.Size);
            if (channels == 3) d.Rgb.CopyTo(target);
            else RgbToGray(d.Rgb, target);
            decoded[kept[k]] = null;
        });
        return labelled ? new InMemoryImageDataset(name, pixels, labels, classes, shape) : new InMemoryImageDataset(name, pixels, shape);
    }

    /// <summary>
    /// One picture file (PNG, JPEG, BMP, WebP) decoded, resized to <paramref name="shape"/>'s height and
    /// width and converted to its channel count, as HWC uint8: how `kindling predict` feeds images.
    /// </summary>
    public static byte[] ReadPicture(string path, ImageShape shape)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"picture {path} does not exist.", path);
        if (shape.Channels is not (1 or 3)) throw new ArgumentException($"pictures decode to 1 or 3 channels; {shape} was asked for.");
        var decoded = DecodeOne(File.ReadAllBytes(path), shape.Height, shape.Width, out var error)
            ?? throw new InvalidDataException($"{path} cannot be decoded ({error}); expected a PNG, JPEG, BMP or WebP picture.");
        if (shape.Channels == 3) return decoded.Rgb;
        var gray = new byte[shape.Height * shape.Width];
        RgbToGray(decoded.Rgb, gray);
        return gray;
    }

    // PIL's RGB -> L: fixed-point luma with rounding.
    static void RgbToGray(ReadOnlySpan<byte> rgb, Span<byte> gray)
    {
        for (int p = 0; p < gray.Length; p++)
            gray[p] = (byte)((rgb[3 * p] * 19595 + rgb[3 * p + 1] * 38470 + rgb[3 * p + 2] * 7471 + 0x8000) >> 16);
    }

    static Decoded? DecodeOne(byte[] bytes, int? height, int? width, out string? error)
    {
        error = null;
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null) { error = "not a picture SkiaSharp can decode"; return null; }
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(info);
        try
        {
            var result = codec.GetPixels(info, bitmap.GetPixels());
            if (result != SKCodecResult.Success) { error = $"decoding failed: {result}"; return null; }
            if (height is int h && width is int w && (h != info.Height || w != info.Width))
            {
                // Shrinking samples from mipmaps (area-like, as torchvision's antialiased resize); enlarging uses a Mitchell cubic.
                var sampling = h < info.Height || w < info.Width
                    ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
                    : new SKSamplingOptions(SKCubicResampler.Mitchell);
                var resized = bitmap.Resize(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul), sampling)
                    ?? throw new IOException($"resizing to {w}x{h} failed");
                bitmap.Dispose();
                bitmap = resized;
            }
            var rgba = bitmap.GetPixelSpan();
            int n = bitmap.Width * bitmap.Height;
            var rgb = new byte[n * 3];
            for (int p = 0; p < n; p++)
            {
                rgb[3 * p] = rgba[4 * p];
                rgb[3 * p + 1] = rgba[4 * p + 1];
                rgb[3 * p + 2] = rgba[4 * p + 2];
            }
            return new Decoded(rgb, bitmap.Height, bitmap.Width, codec.Info.ColorType == SKColorType.Gray8);
        }
        finally
        {
            bitmap.Dispose();
        }
    }
}
