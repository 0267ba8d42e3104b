using System.Text.Json;

namespace Kindling.Tests.Bench;

/// <summary>The generative cases of `kindling bench`: the GAN step (same JSON as bench/generative/dcgan_reference.py) and memory over a GAN task.</summary>
[Collection("Console")]
public class GanBenchCommandTests
{
    [Fact]
    public void GanTimesTheEngineStepOfBothPlayersWithTheReferencesFields()
    {
        var (code, output, error) = CliRunner.Bench("gan", "--task", "gan", "--batch", "4", "--steps", "3", "--warmup", "1", "--threads", "1", "--json");
        Assert.True(code == 0, error + output);
        var r = JsonDocument.Parse(output.Trim()).RootElement;
        Assert.Equal("kindling", r.GetProperty("side").GetString());
        Assert.Equal(3, r.GetProperty("steps").GetInt32());
        Assert.True(r.GetProperty("median_ms").GetDouble() >= r.GetProperty("min_ms").GetDouble());
        // The seed's MLP GAN on 1x28x28: generator 1,510,032 + discriminator 533,505 parameters (the seed's layers, counted by hand).
        Assert.Equal(1_510_032 + 533_505, r.GetProperty("parameters").GetInt64());
        (code, _, error) = CliRunner.Bench("gan", "--task", "vae");
        Assert.NotEqual(0, code);
        Assert.Contains("--task 'vae' is not known", error + output);
    }

    [Fact]
    public void MemoryTrainsAGanTaskThroughTheEngine()
    {
        var (code, output, error) = CliRunner.Bench("memory", "--task", "gan", "--steps", "100", "--batch", "2", "--threads", "1", "--progress-every", "0", "--json");
        Assert.True(code is 0 or 1, $"exited {code}: {error}");
        var r = JsonDocument.Parse(output.Trim()).RootElement;
        Assert.Equal("gan", r.GetProperty("task").GetString());
        Assert.Equal(100, r.GetProperty("samples").EnumerateArray().Single().GetProperty("step").GetInt32());
    }
}
