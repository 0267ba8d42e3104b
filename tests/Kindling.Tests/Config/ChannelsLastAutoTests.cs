using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Runtime;
using Kindling.Tests.Cli;

namespace Kindling.Tests.Config;

/// <summary><c>channels_last: auto</c> (the default): on for convolutional models on the CPU, off for a ViT, the recipe's own choice kept; said and written back.</summary>
public class ChannelsLastAutoTests
{
    public ChannelsLastAutoTests() => TorchRuntime.EnsureLoaded();

    static RecipeRun Build(TempDir tmp, string model, string? channelsLast)
    {
        var pictures = Path.Combine(tmp.Path, "pictures");
        if (!Directory.Exists(pictures)) TinyPictures.Write(pictures, 4, side: 32);
        return RecipeBuilder.Build(Recipe.Parse($$"""
            data:
              spec: imagefolder:{{pictures}}
              validation: {holdout: 3}
              batch_size: 4
              num_workers: 0
              {{(channelsLast is null ? "" : "channels_last: " + channelsLast)}}
            model: {{model}}
            training: {epochs: 1, device: cpu, threads: 1}
            """));
    }

    [Fact]
    public void AutoIsTheDefaultAndTurnsOnForAConvolutionalModelOnTheCpu()
    {
        Assert.Contains("channels_last: auto", Recipe.Parse("data: {spec: fashion-mnist}\n").ToYaml());
        using var tmp = new TempDir();
        using var run = Build(tmp, "{name: fastnet, width_multiplier: 0.25}", null);
        Assert.True(run.Recipe.Data.ChannelsLast);
        Assert.True(run.TrainerOptions.ChannelsLast);
        Assert.True(run.TrainLoader.Options.ChannelsLast);
        Assert.Equal("channels_last: auto -> on (a convolutional model on the CPU: oneDNN's NHWC kernels are the fast path)", run.ChannelsLastChoice);
        // The resolved recipe (config.yaml, checkpoints) holds the choice, not "auto".
        Assert.Contains("channels_last: true", run.Recipe.ToYaml());
    }

    [Fact]
    public void AutoStaysOffForAVisionTransformerAndSaysWhy()
    {
        using var tmp = new TempDir();
        using var run = Build(tmp, "{name: vit-tiny-cifar, depth: 1, embed_dim: 24, heads: 2}", "auto");
        Assert.False(run.Recipe.Data.ChannelsLast);
        Assert.Equal("channels_last: auto -> off (vit-tiny-cifar has one convolution (a patch embedding): nothing to gain)", run.ChannelsLastChoice);
    }

    [Fact]
    public void AnExplicitChoiceIsKeptSilently()
    {
        using var tmp = new TempDir();
        using var off = Build(tmp, "{name: fastnet, width_multiplier: 0.25}", "false");
        Assert.False(off.Recipe.Data.ChannelsLast);
        Assert.Null(off.ChannelsLastChoice);
        Assert.Contains("channels_last: false", Recipe.Parse("data: {spec: fashion-mnist, channels_last: false}\n").ToYaml());
    }
}
