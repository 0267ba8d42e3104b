using Kindling.Data.Loading;
using Kindling.Losses;
using Kindling.Runtime;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised.Multimodal;

/// <summary>
/// Aligns two modalities with the margin-based contrastive loss (seed 003): an image encoder and a text encoder map an image
/// and a description (<see cref="ClassCaptions"/>, made from the image's class) to unit vectors in one space. Each step pairs
/// every image with its own description (a positive, y = 1) and with the description of another image of the batch (a
/// negative unless the two share a class: y says which), and returns <see cref="MarginContrastiveLoss"/> on the 2N pairs.
/// Training descriptions are drawn afresh every step; validation ones are fixed per image. Validation ranks every held-out
/// description for every held-out image (the distinct descriptions: copies would fill the top K) and every held-out image for
/// every description: recall@1 and @5 by class (<see cref="RetrievalMetrics"/>), each beside what chance gives.
/// </summary>
public sealed class MultimodalTask : TrainingTask
{
    Device device = torch.CPU;
    readonly long seed;

    /// <param name="imageEncoder">Images [N, C, H, W] to embeddings [N, E].</param>
    /// <param name="textEncoder">Tokens and lengths to embeddings [N, E].</param>
    /// <param name="captions">The descriptions and their vocabulary.</param>
    /// <param name="loss">The pair loss.</param>
    /// <param name="seed">Seeds the validation descriptions.</param>
    public MultimodalTask(nn.Module<Tensor, Tensor> imageEncoder, TextEncoder textEncoder, ClassCaptions captions, MarginContrastiveLoss loss, long seed = 0)
    {
        ImageEncoder = imageEncoder;
        TextEncoder = textEncoder;
        Captions = captions;
        Loss = loss;
        this.seed = seed;
    }

    /// <summary>The image side.</summary>
    public nn.Module<Tensor, Tensor> ImageEncoder { get; }

    /// <summary>The text side.</summary>
    public TextEncoder TextEncoder { get; }

    /// <summary>The descriptions.</summary>
    public ClassCaptions Captions { get; }

    /// <summary>The pair loss.</summary>
    public MarginContrastiveLoss Loss { get; }

    /// <summary>
    /// train_loss, val_loss, and recall@1/@5 image to text (i2t: the gallery is the distinct held-out descriptions) and text to
    /// image (t2i: the gallery is the held-out images), each with what chance gives on the same gallery.
    /// </summary>
    public static IReadOnlyList<MetricSpec> MetricSpecs { get; } =
    [
        MetricSpec.Min("train_loss"), MetricSpec.Min("val_loss"),
        MetricSpec.Max("val_i2t_r1"), MetricSpec.Max("val_i2t_r5"), MetricSpec.Max("val_i2t_chance_r1"), MetricSpec.Max("val_i2t_chance_r5"),
        MetricSpec.Max("val_t2i_r1"), MetricSpec.Max("val_t2i_r5"), MetricSpec.Max("val_t2i_chance_r1"), MetricSpec.Max("val_t2i_chance_r5"),
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, nn.Module Module)> Modules => [("image_encoder", ImageEncoder), ("text_encoder", TextEncoder)];

    /// <inheritdoc/>
    public override IReadOnlyList<MetricSpec> Metrics => MetricSpecs;

    /// <inheritdoc/>
    public override MetricSpec DefaultMonitor => MetricSpec.Max("val_i2t_r1");

    /// <inheritdoc/>
    public override void OnDevice(Device device) => this.device = device;

    /// <inheritdoc/>
    public override Tensor TrainingStep(Batch batch, StepContext step)
    {
        var labels = Labels(batch);
        var rng = step.Random("captions");
        var (image, text) = Embed(step.Input(batch.Images), labels.Select(l => Captions.Caption((int)l, rng)).ToList());
        return PairLoss(image, text, labels, 1 + rng.Next(Math.Max(1, labels.Length - 1)));
    }

    /// <inheritdoc/>
    public override TaskValidation Validate(IEnumerable<Batch> data, ValidationContext context)
    {
        var images = new List<Tensor>();
        var texts = new List<Tensor>();
        var labels = new List<long>();
        var captions = new List<string>();
        foreach (var batch in ValidationContext.Batches(data))
        {
            var l = Labels(batch);
            // Each held-out image's description is fixed by its index: the same pairs every epoch.
            var these = batch.Indices.Select((index, i) => Captions.Caption((int)l[i], Seeding.For(seed, "validation-captions", index))).ToList();
            var (image, text) = Embed(context.Input(batch.Images), these);
            images.Add(image.cpu().MoveToOuterDisposeScope());
            texts.Add(text.cpu().MoveToOuterDisposeScope());
            labels.AddRange(l);
            captions.AddRange(these);
        }
        if (labels.Count == 0) throw new InvalidOperationException("the validation split yielded no batches: nothing to measure.");
        using var scope = NewDisposeScope();
        var zi = torch.cat(images, 0);
        var zt = torch.cat(texts, 0);
        foreach (var t in images.Concat(texts)) t.Dispose();
        var y = torch.tensor(labels.ToArray());
        var distances = torch.cdist(zi, zt);
        // Images to text: the gallery is the distinct descriptions (many images share "a sweater"; copies would fill the top K).
        var distinct = captions.Select((c, i) => (c, i)).GroupBy(p => p.c, StringComparer.Ordinal).Select(g => (long)g.First().i).ToArray();
        var gallery = torch.tensor(distinct);
        var galleryLabels = distinct.Select(i => labels[(int)i]).ToList();
        var i2t = distances.index_select(1, gallery);
        return new TaskValidation(new Dictionary<string, double>
        {
            ["loss"] = PairLoss(zi, zt, labels.ToArray(), 1).item<float>(),
            ["i2t_r1"] = RetrievalMetrics.RecallAtK(i2t, y, y.index_select(0, gallery), 1),
            ["i2t_r5"] = RetrievalMetrics.RecallAtK(i2t, y, y.index_select(0, gallery), 5),
            ["i2t_chance_r1"] = RetrievalMetrics.ChanceRecallAtK(labels, galleryLabels, 1),
            ["i2t_chance_r5"] = RetrievalMetrics.ChanceRecallAtK(labels, galleryLabels, 5),
            ["t2i_r1"] = RetrievalMetrics.RecallAtK(distances.t(), y, y, 1),
            ["t2i_r5"] = RetrievalMetrics.RecallAtK(distances.t(), y, y, 5),
            ["t2i_chance_r1"] = RetrievalMetrics.ChanceRecallAtK(labels, labels, 1),
            ["t2i_chance_r5"] = RetrievalMetrics.ChanceRecallAtK(labels, labels, 5),
        });
    }

    /// <summary>Unit-length embeddings of <paramref name="images"/> and of <paramref name="captions"/>, both [N, E] in fp32.</summary>
    public (Tensor Images, Tensor Texts) Embed(Tensor images, IReadOnlyList<string> captions)
    {
        var (tokens, lengths) = Captions.Encode(captions);
        var image = nn.functional.normalize(ImageEncoder.call(images).to(float32), dim: 1);
        var text = nn.functional.normalize(TextEncoder.call(tokens.to(device), lengths.to(device)).to(float32), dim: 1);
        return (image, text);
    }

    // Every image with its own description (y 1) and with the one `shift` places on (y 1 when the classes agree).
    Tensor PairLoss(Tensor image, Tensor text, long[] labels, int shift)
    {
        long n = labels.Length;
        var other = torch.arange(n).add(shift).remainder(n);
        var otherLabels = Enumerable.Range(0, (int)n).Select(i => labels[(i + shift) % n]).ToArray();
        var y = torch.tensor([.. Enumerable.Repeat(1f, (int)n), .. labels.Zip(otherLabels, (a, b) => a == b ? 1f : 0f)]).to(image.device);
        return Loss.Forward(torch.cat([image, image], 0), torch.cat([text, text.index_select(0, other.to(text.device))], 0), y);
    }

    static long[] Labels(Batch batch) => batch.HasLabels
        ? batch.Labels.cpu().data<long>().ToArray()
        : throw new InvalidOperationException("the multimodal task makes each image's description from its class: it needs labelled data (not images:PATH).");
}
