using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Data.Transforms;
using Kindling.Losses;
using Kindling.Models.Blocks;
using Kindling.Optim;
using Kindling.Reporting;
using Kindling.Runtime;
using Kindling.SelfSupervised.Multimodal;
using Kindling.Tests.Cli;
using Kindling.Tests.Training;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Tests.SelfSupervised;

/// <summary>
/// The multimodal pieces: class descriptions, padding-invariant text encoding, cross-attention and concatenation fusion,
/// retrieval recall and its chance, and the alignment task learning to retrieve above chance and training from a recipe.
/// </summary>
[Collection("GlobalGenerator")]
public class MultimodalTests
{
    static readonly string[] Fashion = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public MultimodalTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void DescriptionsVaryInWordsAndLengthAndPadWithZeros()
    {
        var captions = new ClassCaptions(Fashion);
        var rng = new Random(3);
        var texts = Enumerable.Range(0, 60).Select(_ => captions.Caption(2, rng)).ToList();
        Assert.All(texts, t => Assert.True(t.Contains("pullover") || t.Contains("sweater") || t.Contains("jumper"), t));
        Assert.True(texts.Select(t => t.Split(' ').Length).Distinct().Count() >= 4);
        var (tokens, lengths) = captions.Encode(texts);
        Assert.Equal([60, captions.MaxLength], tokens.shape);
        for (int i = 0; i < 60; i++)
        {
            long n = lengths[i].item<long>();
            Assert.Equal(texts[i], string.Join(' ', tokens[i].narrow(0, 0, n).data<long>().Select(t => captions.Vocabulary[(int)t])));
            Assert.True(tokens[i].narrow(0, 0, n).gt(0).all().item<bool>());
            Assert.Equal(0, tokens[i].narrow(0, n, captions.MaxLength - n).abs().sum().item<long>());
        }
        // Other data sets' classes describe themselves by name.
        Assert.Contains("airplane", new ClassCaptions(["airplane", "cat"]).Caption(0, new Random(1)));
        Assert.Throws<ArgumentException>(() => captions.Encode(["a spaceship"]));
    }

    [Fact]
    public void TheTextEncodingDoesNotDependOnPadding()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var captions = new ClassCaptions(Fashion);
        using var encoder = new TextEncoder(captions.Vocabulary.Count, captions.MaxLength, 16, 2, 2, 8);
        encoder.eval();
        var (tokens, lengths) = captions.Encode(["a photo of a sweater", "boot", "a small grey picture of a running shoe on a plain background"]);
        var reference = encoder.call(tokens, lengths);
        // Garbage in the padding, and a batch padded only to its own longest: the same embeddings.
        var garbage = tokens.clone().masked_fill(MultiHeadAttention.PaddingMask(lengths, tokens.shape[1]), 5);
        Assert.True((encoder.call(garbage, lengths) - reference).abs().max().item<float>() < 1e-5);
        var shortBatch = captions.Encode(["a photo of a sweater", "boot"]);
        var shorter = shortBatch.Tokens.narrow(1, 0, 5);
        Assert.True((encoder.call(shorter, shortBatch.Lengths) - reference.narrow(0, 0, 2)).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void FusionReadsOnlyTheRealTextTokens()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var fusion = new CrossAttentionFusion(imageDim: 8, textDim: 12, heads: 2);
        fusion.eval();
        var image = randn(2, 5, 8);
        var text = randn(2, 4, 12);
        var mask = MultiHeadAttention.PaddingMask(tensor(new long[] { 4, 2 }), 4);
        var fused = fusion.call(image, text, mask);
        Assert.Equal([2, 5, 8], fused.shape);
        var changed = text.clone();
        changed[1, 3] += 100;
        Assert.True((fusion.call(image, changed, mask) - fused).abs().max().item<float>() < 1e-5);
        changed[1, 0] += 1;
        Assert.False((fusion.call(image, changed, mask) - fused).abs().max().item<float>() < 1e-5);

        using var concat = new ConcatFusion(8, 12, 6);
        Assert.Equal([3, 6], concat.call(randn(3, 8), randn(3, 12)).shape);
        Assert.Contains("[B, 8] and [B, 12]", Assert.Throws<ArgumentException>(() => concat.call(randn(3, 8), randn(3, 11))).Message);
    }

    [Fact]
    public void RecallAndChanceAreTheHandComputedOnes()
    {
        // Queries of class 0, 1, 1 against a gallery of classes 0, 0, 1, 1.
        using var distances = tensor(new float[,] { { 0.1f, 0.5f, 0.2f, 0.9f }, { 0.1f, 0.2f, 0.9f, 0.3f }, { 0.4f, 0.5f, 0.3f, 0.1f } });
        using var queries = tensor(new long[] { 0, 1, 1 });
        using var gallery = tensor(new long[] { 0, 0, 1, 1 });
        Assert.Equal(2 / 3.0, RetrievalMetrics.RecallAtK(distances, queries, gallery, 1), 10); // hits: q0 (g0), q2 (g3)
        Assert.Equal(2 / 3.0, RetrievalMetrics.RecallAtK(distances, queries, gallery, 2), 10); // q1's two nearest are g0, g1
        Assert.Equal(1.0, RetrievalMetrics.RecallAtK(distances, queries, gallery, 3), 10);
        Assert.Equal(0.5, RetrievalMetrics.ChanceRecallAtK([0, 1, 1], [0, 0, 1, 1], 1), 10);
        Assert.Equal(5 / 6.0, RetrievalMetrics.ChanceRecallAtK([0, 1, 1], [0, 0, 1, 1], 2), 10);
        Assert.Equal(1.0, RetrievalMetrics.ChanceRecallAtK([0], [0, 0, 1, 1], 3), 10);
    }

    [Fact]
    public void AligningImagesAndDescriptionsRetrievesFarAboveChance()
    {
        manual_seed(0);
        var captions = new ClassCaptions(["band0", "band1", "band2"]);
        var task = new MultimodalTask(new ImageEncoder(1, 8, 16), new TextEncoder(captions.Vocabulary.Count, captions.MaxLength, 16, 2, 1, 16),
            captions, new MarginContrastiveLoss(1.0));
        var options = new TrainerOptions { Epochs = 6, Optimizer = new OptimizerOptions { Name = "adamw", Lr = 3e-3 }, Device = "cpu", Seed = 1, Threads = 1 };
        var result = new Trainer(options).Fit(task, TinyData.Loader(TinyData.Bands(192, seed: 1), 32, true, new ToTensor()),
            TinyData.Loader(TinyData.Bands(60, seed: 2), 30, false, new ToTensor()));
        var first = result.History[0];
        var last = result.History[^1];
        Assert.Equal(1 / 3.0, last.Get("val_t2i_chance_r1")!.Value, 2);
        Assert.True(last.Get("val_i2t_r1") > 0.9, $"image to text recall@1 {last.Get("val_i2t_r1")} (chance {last.Get("val_i2t_chance_r1")})");
        Assert.True(last.Get("val_t2i_r1") > 0.9, $"text to image recall@1 {last.Get("val_t2i_r1")}");
        Assert.True(last.Get("val_loss") < first.Get("val_loss"));
    }

    [Fact]
    public void TrainsFromARecipeAndComesBackFromItsCheckpoint()
    {
        using var tmp = new TempDir();
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 8);
        var yaml = TinyPictures.Recipe(pictures, 1, holdout: 6) + "\n  threads: 1\nlogging:\n  tensorboard: false\n  plots: false\ntask: multimodal\n"
            + "multimodal:\n  embed_dim: 8\n  image_width: 4\n  text_dim: 8\n  text_depth: 1\n  text_heads: 2\n";
        var folder = RunFolder.Create(Path.Combine(tmp.Path, "run"));
        using var training = RecipeTraining.Open(Recipe.Parse(yaml), folder);
        var result = training.Fit();
        training.Finish(result);
        Assert.Equal("val_i2t_r1", training.Run.TrainerOptions.Monitor);
        foreach (var metric in MultimodalTask.MetricSpecs) Assert.True(result.History[0].Values.ContainsKey(metric.Name), metric.Name);
        var (recipe, task) = CheckpointTask.Load(Path.Combine(folder.CheckpointsDir, "last.ckpt"), "multimodal");
        using (task) Assert.Equal(8, recipe.Multimodal.EmbedDim);
        var bad = Assert.Throws<RecipeException>(() => Recipe.Parse("task: multimodal\nmultimodal:\n  text_dim: 10\n  text_heads: 4\n  margin: 3\n"));
        Assert.Contains(bad.Errors, l => l.StartsWith("multimodal.text_dim", StringComparison.Ordinal));
        Assert.Contains(bad.Errors, l => l.StartsWith("multimodal.margin", StringComparison.Ordinal));
    }
}
