using System.Text.Json;

namespace Kindling.Tests.Bench;

/// <summary>
/// The smoke test of `kindling bench`: a couple of tiny steps of each case print one JSON object with the
/// fields bench/reference/driver.py reads. The benchmarks themselves are commands, not tests.
/// </summary>
[Collection("Console")]
public class BenchCommandTests
{
    static JsonElement Run(params string[] args)
    {
        var (code, output, error) = CliRunner.Bench([.. args, "--json"]);
        Assert.True(code == 0, $"kindling bench {string.Join(' ', args)} exited {code}: {error}\n{output}");
        return JsonDocument.Parse(output.Trim()).RootElement;
    }

    [Fact]
    public void Train_prints_the_step_split_and_gflops_from_the_models_macs()
    {
        var r = Run("train", "--model", "seed-cnn", "--batch", "2", "--steps", "2", "--warmup", "1");
        Assert.Equal("kindling", r.GetProperty("side").GetString());
        Assert.Equal("train", r.GetProperty("kind").GetString());
        Assert.Equal(2, r.GetProperty("steps").GetInt32());
        Assert.Equal(4, r.GetProperty("images").GetInt32());
        Assert.Equal(7_315_402, r.GetProperty("parameters").GetInt64()); // bench/reference/models.py asserts the same count
        long macs = r.GetProperty("macs_per_image").GetInt64();
        Assert.Equal(6.0 * macs, r.GetProperty("flops_per_image").GetDouble());
        double rate = r.GetProperty("images_per_second").GetDouble();
        Assert.True(rate > 0);
        Assert.Equal(6.0 * macs * rate / 1e9, r.GetProperty("gflops").GetDouble(), 6);
        var ms = r.GetProperty("ms_per_step");
        double phases = ms.GetProperty("forward").GetDouble() + ms.GetProperty("backward").GetDouble() + ms.GetProperty("optimizer").GetDouble();
        Assert.True(phases > 0 && phases <= ms.GetProperty("step").GetDouble() * 1.001, $"phases {phases} ms against a step of {ms.GetProperty("step")} ms");
        Assert.True(r.GetProperty("peak_rss_mib").GetDouble() > 0);
        Assert.True(r.GetProperty("machine").GetProperty("logical_cores").GetInt32() > 0);
    }

    [Fact]
    public void Eval_and_end_to_end_cases_run_on_tiny_inputs()
    {
        var eval = Run("eval", "--model", "resnet18", "--batch", "2", "--steps", "1", "--warmup", "0", "--channels-last", "--fused");
        Assert.Equal(11_173_962, eval.GetProperty("parameters").GetInt64());
        Assert.True(eval.GetProperty("channels_last").GetBoolean());
        Assert.True(eval.GetProperty("fused").GetBoolean());
        Assert.Equal(0, eval.GetProperty("ms_per_step").GetProperty("backward").GetDouble());

        // The same step in ONNX Runtime: the exported float model, NCHW (the channels-last lever is libtorch's).
        var ort = Run("eval", "--model", "seed-cnn", "--batch", "2", "--steps", "1", "--warmup", "0", "--engine", "onnxruntime");
        Assert.Equal("onnxruntime", ort.GetProperty("engine").GetString());
        Assert.Equal(7_315_402, ort.GetProperty("parameters").GetInt64());
        Assert.False(ort.GetProperty("channels_last").GetBoolean());
        Assert.Equal(2, ort.GetProperty("images").GetInt32());
        Assert.True(ort.GetProperty("images_per_second").GetDouble() > 0);
        Assert.Equal(eval.EnumerateObject().Select(p => p.Name), ort.EnumerateObject().Select(p => p.Name));
        Assert.Equal("libtorch", eval.GetProperty("engine").GetString());

        var e2e = Run("e2e", "--model", "fastnet", "--batch", "4", "--images", "10", "--workers", "1", "--warmup", "0");
        Assert.Equal(10, e2e.GetProperty("images").GetInt32()); // 4 + 4 + 2: the last partial batch counts
        Assert.Equal(3, e2e.GetProperty("steps").GetInt32());
        Assert.InRange(e2e.GetProperty("accuracy").GetDouble(), 0, 1);
    }

    [Fact]
    public void Memory_takes_threads_reports_progress_on_stderr_and_counts_live_tensors_across_threads()
    {
        var (code, output, error) = CliRunner.Bench("memory", "--steps", "100", "--batch", "1", "--threads", "1", "--progress-every", "50", "--json");
        Assert.True(code is 0 or 1, $"exited {code}: {error}"); // 1 only says RSS grew over 10%
        var r = JsonDocument.Parse(output.Trim()).RootElement; // stdout is one JSON object: progress went to stderr
        Assert.Equal(1, r.GetProperty("threads").GetInt32());
        Assert.Contains("step 50/100:", error);
        Assert.Contains("step 100/100:", error);
        // The loader's worker thread makes the batches and the training thread disposes them; a per-thread count went
        // negative. The process-wide count holds at least the model's parameters and AdamW's two moments of each.
        var sample = r.GetProperty("samples").EnumerateArray().Single();
        Assert.Equal(100, sample.GetProperty("step").GetInt32());
        Assert.True(sample.GetProperty("live_tensors").GetInt64() > 0, sample.ToString());
    }

    [Fact]
    public void Peak_counts_fma_flops_on_the_threads_asked_for()
    {
        var one = Run("peak", "--threads", "1", "--steps", "2", "--warmup", "0");
        Assert.Equal("peak", one.GetProperty("kind").GetString());
        Assert.Equal(1, one.GetProperty("threads").GetInt32());
        Assert.Equal(2, one.GetProperty("steps").GetInt32());
        double gflops = one.GetProperty("gflops").GetDouble();
        // 2 FLOPs x 12 chains x 100 M iterations x the vector width (8 or 16) per step, over the timed seconds.
        double perStep = 2.0 * 12 * 100_000_000 * Kindling.Bench.FmaPeak.Lanes;
        Assert.Equal(perStep * 2 / one.GetProperty("seconds").GetDouble() / 1e9, gflops, 3);
    }

    [Fact]
    public void Bad_model_names_the_choices()
    {
        var (code, output, error) = CliRunner.Bench("train", "--model", "vgg99");
        Assert.NotEqual(0, code);
        Assert.Contains("seed-cnn, resnet18, fastnet", output + error);
    }

    [Fact]
    public void The_cli_run_directly_points_to_the_bench_program()
    {
        var (code, _, error) = CliRunner.Kindling("bench", "peak");
        Assert.Equal(2, code);
        Assert.Contains("./kindling bench", error);
    }
}
