using System.Runtime.InteropServices;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using SkiaSharp;
using TorchSharp;

namespace Kindling.Reporting;

/// <summary>
/// A PNG of a data set's samples (seed 004 8.1, "look at your data"): torchvision's <c>make_grid</c> layout (images in rows of
/// <see cref="SampleGridOptions.Nrow"/>, <see cref="SampleGridOptions.Padding"/> pixels around each, black background), each
/// image captioned with its class name when the data set has labels. With <see cref="SampleGridOptions.Augment"/>, a second
/// panel beside the first shows the same samples, in the same places, after the augmentation.
/// </summary>
public static class SampleGrid
{
    /// <summary>Height of the caption strip under each image of a labelled data set.</summary>
    public const int CaptionHeight = 14;

    /// <summary>Height of the title strip above each panel when there are two.</summary>
    public const int HeaderHeight = 18;

    /// <summary>Pixels between the raw and the augmented panel.</summary>
    public const int PanelGap = 12;

    /// <summary>
    /// <paramref name="count"/> sample indices drawn with <paramref name="seed"/>, stratified: classes take turns (in an order
    /// shuffled by the seed, so a data set of many classes is not shown only its first ones), each giving its next random
    /// sample, so every class shows up a few times before any shows up often. Sorted by class, then index, so the grid reads
    /// class by class. Without labels: a seeded random choice, in index order.
    /// </summary>
    public static int[] Pick(IImageDataset dataset, int count, int seed)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "the grid needs at least one sample.");
        count = Math.Min(count, dataset.Count);
        var rng = new Random(seed);
        if (!dataset.HasLabels)
        {
            var all = Enumerable.Range(0, dataset.Count).ToArray();
            rng.Shuffle(all);
            return [.. all.Take(count).Order()];
        }
        var labels = dataset.GetLabels();
        var byClass = Enumerable.Range(0, dataset.Classes.Count).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < labels.Length; i++) byClass[labels[i]].Add(i);
        var queues = byClass.Where(l => l.Count > 0).Select(l => { var a = l.ToArray(); rng.Shuffle(a); return new Queue<int>(a); }).ToArray();
        rng.Shuffle(queues);
        var picked = new List<int>(count);
        while (picked.Count < count)
            foreach (var q in queues)
                if (picked.Count < count && q.Count > 0) picked.Add(q.Dequeue());
        return [.. picked.OrderBy(i => labels[i]).ThenBy(i => i)];
    }

    /// <summary>
    /// The statistics of the last <see cref="Normalize"/> in <paramref name="transform"/> (looking inside <see cref="Compose"/>),
    /// which is what <see cref="SampleGridOptions.Mean"/>/<see cref="SampleGridOptions.Std"/> must undo; nulls when it normalizes nothing.
    /// </summary>
    public static (IReadOnlyList<double>? Mean, IReadOnlyList<double>? Std) Normalization(ISampleTransform transform)
    {
        Normalize? last = null;
        Visit(transform);
        return (last?.Mean, last?.Std);

        void Visit(ISampleTransform t)
        {
            if (t is Normalize n) last = n;
            else if (t is Compose c) foreach (var inner in c.Transforms) Visit(inner);
        }
    }

    /// <summary>Draws the grid of <paramref name="dataset"/>'s samples and writes it to <paramref name="path"/> (a PNG, through a temporary file).</summary>
    /// <returns>The path written.</returns>
    /// <exception cref="ArgumentException">An option is out of range, or mean/std do not match the augmented images' channels.</exception>
    public static string Save(IImageDataset dataset, string path, SampleGridOptions options)
    {
        if (options.Nrow < 1) throw new ArgumentException($"nrow must be at least 1, got {options.Nrow}.", nameof(options));
        if (options.Padding < 0) throw new ArgumentException($"padding must be 0 or more, got {options.Padding}.", nameof(options));
        if (options.Scale < 0) throw new ArgumentException($"scale must be 0 (auto) or more, got {options.Scale}.", nameof(options));
        if ((options.Mean is null) != (options.Std is null) || options.Mean is not null && options.Mean.Count != options.Std!.Count)
            throw new ArgumentException("give mean and std together, one value of each per channel.", nameof(options));
        if (dataset.Count == 0) throw new ArgumentException($"{dataset.Name} has no samples to draw.", nameof(dataset));
        var indices = Pick(dataset, options.Count, options.Seed);
        var raw = indices.Select(i => Raw(dataset, i)).ToArray();
        var captions = dataset.HasLabels ? indices.Select(i => dataset.Classes[dataset.GetLabel(i)]).ToArray() : null;
        int scale = options.Scale > 0 ? options.Scale : Math.Max(1, (int)Math.Ceiling(64.0 / Math.Max(dataset.Shape.Height, dataset.Shape.Width)));
        var panels = new List<Picture[]> { raw };
        if (options.Augment is not null) panels.Add([.. indices.Select(i => Augmented(dataset, i, options))]);
        var sizes = panels.Select(p => PanelSize(p, scale, options, captions is not null)).ToArray();
        int header = panels.Count > 1 ? HeaderHeight : 0;
        int width = sizes.Sum(s => s.Width) + PanelGap * (panels.Count - 1);
        int height = header + sizes.Max(s => s.Height);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var rgba = new byte[width * height * 4];
        for (int k = 3; k < rgba.Length; k += 4) rgba[k] = 255; // opaque black, make_grid's pad_value 0
        int left = 0;
        var cells = new List<(int X, int Y, int W, string Text)>();
        for (int p = 0; p < panels.Count; p++)
        {
            Layout(panels[p], scale, options, captions is not null, out int cellW, out int cellH, out int ncol);
            for (int n = 0; n < panels[p].Length; n++)
            {
                int x = left + options.Padding + n % ncol * (cellW + options.Padding);
                int y = header + options.Padding + n / ncol * (cellH + options.Padding);
                Blit(rgba, width, panels[p][n], x, y, scale);
                if (captions is not null) cells.Add((x, y + cellH - CaptionHeight, cellW, captions[n]));
            }
            left += sizes[p].Width + PanelGap;
        }
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var font = new SKFont(SKTypeface.Default, 11);
            using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true };
            foreach (var (x, y, w, text) in cells)
                canvas.DrawText(Fit(text, w, font), x + w / 2f, y + CaptionHeight - 3, SKTextAlign.Center, font, paint);
            if (panels.Count > 1)
            {
                // A grey rule in the gap: both panels have black backgrounds and would read as one grid.
                using var rule = new SKPaint { Color = SKColors.Gray, StrokeWidth = 1 };
                canvas.DrawLine(sizes[0].Width + PanelGap / 2f, 0, sizes[0].Width + PanelGap / 2f, height, rule);
                canvas.DrawText("raw", 4, HeaderHeight - 5, SKTextAlign.Left, font, paint);
                canvas.DrawText("after the training augmentation", sizes[0].Width + PanelGap + 4, HeaderHeight - 5, SKTextAlign.Left, font, paint);
            }
        }
        return PngFile.Save(bitmap, path);
    }

    /// <summary>One image to draw: HWC bytes of 1 or 3 (or more; the first three are drawn) channels.</summary>
    readonly record struct Picture(byte[] Hwc, int Channels, int Height, int Width);

    static Picture Raw(IImageDataset dataset, int index)
    {
        var (pixels, _) = dataset.GetImage(index);
        return new Picture(pixels, dataset.Shape.Channels, dataset.Shape.Height, dataset.Shape.Width);
    }

    static Picture Augmented(IImageDataset dataset, int index, SampleGridOptions options)
    {
        var s = dataset.Shape;
        var (chw, _) = dataset.GetImage(index, PixelLayout.Chw);
        using var scope = torch.NewDisposeScope();
        // Each sample its own generator, from the seed and its index, as the loader gives each sample its own draws;
        // mixed as the loader mixes (HashCode would differ from process to process, and the grid must not).
        var rng = new Random(SamplerSeeds.Mix(options.Seed, index));
        var image = options.Augment!.Apply(torch.tensor(chw).view(s.Channels, s.Height, s.Width), rng);
        if (image.dim() != 3) throw new ArgumentException($"the augmentation returned a tensor of shape [{string.Join(", ", image.shape)}]; expected one [C,H,W] image.");
        int c = (int)image.shape[0], h = (int)image.shape[1], w = (int)image.shape[2];
        if (image.is_floating_point())
        {
            if (options.Mean is not null)
            {
                if (options.Mean.Count != c && options.Mean.Count != 1)
                    throw new ArgumentException($"mean/std have {options.Mean.Count} values but the augmented images have {c} channels; give one per channel.");
                var mean = torch.tensor(options.Mean.Select(v => (float)v).ToArray()).view(-1, 1, 1).to(image.dtype);
                var std = torch.tensor(options.Std!.Select(v => (float)v).ToArray()).view(-1, 1, 1).to(image.dtype);
                image = image * std + mean;
            }
            // Augmentations such as noise or jitter leave [0,1]; what the model sees beyond it is drawn at the edge.
            image = image.clamp(0, 1).mul(255).round().to(torch.ScalarType.Byte);
        }
        else if (image.dtype != torch.ScalarType.Byte) image = image.clamp(0, 255).to(torch.ScalarType.Byte);
        var hwc = image.permute(1, 2, 0).contiguous().data<byte>().ToArray();
        return new Picture(hwc, c, h, w);
    }

    static void Layout(Picture[] panel, int scale, SampleGridOptions options, bool captions, out int cellW, out int cellH, out int ncol)
    {
        // Augmented images may differ in size (a crop without a resize): a cell holds the largest.
        cellW = panel.Max(p => p.Width) * scale;
        cellH = panel.Max(p => p.Height) * scale + (captions ? CaptionHeight : 0);
        ncol = Math.Min(options.Nrow, panel.Length);
    }

    static (int Width, int Height) PanelSize(Picture[] panel, int scale, SampleGridOptions options, bool captions)
    {
        Layout(panel, scale, options, captions, out int cellW, out int cellH, out int ncol);
        int rows = (panel.Length + ncol - 1) / ncol;
        // make_grid: padding before every cell and once more at the far edge.
        return (ncol * (cellW + options.Padding) + options.Padding, rows * (cellH + options.Padding) + options.Padding);
    }

    static void Blit(byte[] rgba, int stride, Picture p, int left, int top, int scale)
    {
        for (int y = 0; y < p.Height * scale; y++)
            for (int x = 0; x < p.Width * scale; x++)
            {
                int src = (y / scale * p.Width + x / scale) * p.Channels;
                int dst = ((top + y) * stride + left + x) * 4;
                for (int k = 0; k < 3; k++) rgba[dst + k] = p.Hwc[src + (p.Channels >= 3 ? k : 0)];
            }
    }

    /// <summary>The text, cut with an ellipsis until it fits <paramref name="width"/> pixels.</summary>
    static string Fit(string text, int width, SKFont font)
    {
        if (font.MeasureText(text) <= width - 2) return text;
        for (int n = text.Length - 1; n > 0; n--)
            if (font.MeasureText(text[..n] + "…") <= width - 2) return text[..n] + "…";
        return "";
    }
}
