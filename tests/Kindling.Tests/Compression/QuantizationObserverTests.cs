using System.Text.Json;
using Kindling.Compression.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Compression;

/// <summary>Observers and fake quantization against torch.ao.quantization (Oracle/make_quant_fixtures.py).</summary>
public class QuantizationObserverTests
{
    static readonly JsonDocument Fixture = OracleFixtures.Json("quantization/observers.json");
    static JsonElement Root => Fixture.RootElement;

    static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
    static long[] Shape(string key) => Root.GetProperty(key).EnumerateArray().Select(v => v.GetInt64()).ToArray();

    static Tensor[] Batches(bool relu = false) => Root.GetProperty("batches").EnumerateArray()
        .Select(b => { var t = torch.tensor(Floats(b)).reshape(Shape("batch_shape")); return relu ? t.clamp_min(0) : t; }).ToArray();

    static void AssertParams(string key, IObserver observer, IEnumerable<Tensor> data)
    {
        foreach (var b in data) observer.Observe(b);
        var actual = observer.Compute();
        var expected = Root.GetProperty("cases").GetProperty(key);
        var scales = Floats(expected.GetProperty("scale"));
        var zeros = expected.GetProperty("zero_point").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.Equal(scales.Length, actual.Scales.Length);
        for (int i = 0; i < scales.Length; i++) Assert.True(Math.Abs(scales[i] - actual.Scales[i]) <= 1e-6 * scales[i], $"{key} scale[{i}]: {actual.Scales[i]} vs PyTorch {scales[i]}");
        Assert.Equal(zeros, actual.ZeroPoints);
    }

    [Fact]
    public void MinMax_uint8_affine_matches_pytorch() => AssertParams("minmax_uint8_affine", new MinMaxObserver(), Batches());

    [Fact]
    public void MinMax_uint8_affine_of_a_relu_output_has_zero_point_0() => AssertParams("minmax_uint8_affine_relu", new MinMaxObserver(), Batches(relu: true));

    [Fact]
    public void MinMax_int8_symmetric_matches_pytorch() =>
        AssertParams("minmax_int8_symmetric", new MinMaxObserver(QuantParams.Int8Min, QuantParams.Int8Max, symmetric: true), Batches());

    [Fact]
    public void Moving_average_minmax_matches_pytorch() => AssertParams("moving_average_uint8_affine", new MovingAverageMinMaxObserver(), Batches());

    [Fact]
    public void Per_channel_symmetric_int8_weights_match_pytorch() =>
        AssertParams("per_channel_int8_symmetric", new PerChannelMinMaxObserver(), new[] { torch.tensor(Floats(Root.GetProperty("weights"))).reshape(Shape("weights_shape")) });

    [Fact]
    public void Percentile_clips_to_the_averaged_batch_quantiles() =>
        AssertParams("percentile_0.99_uint8_affine", new PercentileObserver(Root.GetProperty("percentile").GetDouble()), Batches());

    [Fact]
    public void Fake_quantize_per_tensor_matches_pytorch_values_and_straight_through_gradient()
    {
        var f = Root.GetProperty("fake_quant_per_tensor");
        var x = torch.tensor(Floats(f.GetProperty("x"))).requires_grad_();
        var p = new QuantParams(new[] { (float)f.GetProperty("scale").GetDouble() }, new[] { f.GetProperty("zero_point").GetInt32() }, 0, 255);
        var y = QuantMath.FakeQuantize(x, p);
        (y * torch.tensor(Floats(f.GetProperty("g")))).sum().backward();
        AssertClose(Floats(f.GetProperty("y")), y.detach().data<float>().ToArray(), 1e-6f);
        var grad = x.grad!.data<float>().ToArray();
        AssertClose(Floats(f.GetProperty("grad")), grad, 1e-6f);
        Assert.Contains(grad, v => v == 0f); // some values were clamped, so the mask was exercised
    }

    [Fact]
    public void Fake_quantize_per_channel_matches_pytorch_values_and_gradient()
    {
        var f = Root.GetProperty("fake_quant_per_channel");
        var shape = f.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        var w = torch.tensor(Floats(f.GetProperty("w"))).reshape(shape).requires_grad_();
        var pc = Root.GetProperty("cases").GetProperty("per_channel_int8_symmetric");
        var p = new QuantParams(Floats(pc.GetProperty("scale")), pc.GetProperty("zero_point").EnumerateArray().Select(v => v.GetInt32()).ToArray(), -128, 127);
        var y = QuantMath.FakeQuantize(w, p, axis: 0);
        (y * torch.tensor(Floats(f.GetProperty("g"))).reshape(shape)).sum().backward();
        AssertClose(Floats(f.GetProperty("y")), y.detach().flatten().data<float>().ToArray(), 1e-6f);
        AssertClose(Floats(f.GetProperty("grad")), w.grad!.flatten().data<float>().ToArray(), 1e-6f);
    }

    [Fact]
    public void An_observer_that_saw_nothing_says_so()
    {
        Assert.Throws<InvalidOperationException>(() => new MinMaxObserver().Compute());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PercentileObserver(0.3));
    }

    static void AssertClose(float[] expected, float[] actual, float tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"[{i}]: {actual[i]} vs PyTorch {expected[i]}");
    }
}
