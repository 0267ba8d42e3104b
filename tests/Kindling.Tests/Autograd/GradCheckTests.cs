using System.Text.Json;
using Kindling.Autograd;
using Kindling.Compression.Quantization;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Autograd;

/// <summary>
/// GradCheck and GradGradCheck (PyTorch's gradcheck/gradgradcheck) on built-in ops, on custom autograd functions
/// right and wrong, and on Kindling's straight-through fake quantization; Jacobians and verdicts against PyTorch 1.13
/// (Oracle/make_autograd_fixtures.py).
/// </summary>
public class GradCheckTests
{
    static readonly JsonDocument Fixture = OracleFixtures.Json("autograd/autograd.json");
    static JsonElement Root => Fixture.RootElement;

    public GradCheckTests() => TorchRuntime.EnsureLoaded();

    static double[] Flat(JsonElement e) => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().SelectMany(Flat).ToArray() : [e.GetDouble()];

    static Tensor Leaf(string key, params long[] shape) => tensor(Flat(Root.GetProperty(key)), shape, float64).requires_grad_(true);

    static Tensor[] FixtureFunction(Tensor[] a) => [tanh(a[0].matmul(a[1])), nn.functional.softplus(a[0]).sum(1)];

    static Tensor Random(params long[] shape) => randn(shape, float64, generator: new Generator(5)).requires_grad_(true);

    [Fact]
    public void BuiltInOpsPass()
    {
        var x = Random(3, 4);
        var w = Random(4, 2);
        Assert.True(GradCheck.Check(t => t.tanh(), x));
        Assert.True(GradCheck.Check(t => nn.functional.softplus(t), x));
        Assert.True(GradCheck.Check(a => [a[0].matmul(a[1])], [x, w]));
        Assert.True(GradGradCheck.Check(t => t.tanh(), x));
        Assert.True(GradGradCheck.Check(t => nn.functional.softplus(t), x));
        Assert.True(GradGradCheck.Check(a => [a[0].matmul(a[1])], [x, w]));
    }

    [Fact]
    public void JacobiansAndVerdictsArePyTorchs()
    {
        Tensor[] inputs = [Leaf("x", 2, 3), Leaf("w", 3, 2)];
        foreach (var c in Root.GetProperty("jacobians").EnumerateArray())
        {
            int o = c.GetProperty("output").GetInt32(), i = c.GetProperty("input").GetInt32();
            // Same central differences on the same float64 values: only an ulp of tanh or softplus between libtorch
            // builds can differ, and that divided by 2 eps is ~1e-10.
            Same(Flat(c.GetProperty("numerical")), GradCheck.NumericalJacobian(FixtureFunction, inputs, o, i), 1e-8, $"numerical, output {o}, input {i}");
            Same(Flat(c.GetProperty("analytical")), GradCheck.AnalyticalJacobian(FixtureFunction, inputs, o, i), 1e-12, $"analytical, output {o}, input {i}");
        }
        Assert.Equal(Root.GetProperty("gradcheck").GetBoolean(), GradCheck.Check(FixtureFunction, inputs));
        Assert.Equal(Root.GetProperty("gradgradcheck").GetBoolean(), GradGradCheck.Check(FixtureFunction, inputs));
        // The finite differences wrote into the inputs and must have put every value back.
        Assert.Equal(Flat(Root.GetProperty("x")), inputs[0].detach().data<double>().ToArray());
    }

    static void Same(double[] expected, double[,] actual, double tolerance, string what)
    {
        var got = actual.Cast<double>().ToArray();
        Assert.Equal(expected.Length, got.Length);
        for (int k = 0; k < got.Length; k++)
            Assert.True(Math.Abs(expected[k] - got[k]) <= tolerance, $"{what}, element {k}: PyTorch {expected[k]:R}, Kindling {got[k]:R}");
    }

    [Fact]
    public void AWrongCustomBackwardFailsNamingOutputInputAndElement()
    {
        var x = Leaf("x", 2, 3);
        var e = Assert.Throws<GradCheckException>(() => GradCheck.Check(t => DoubledTanhFunction.apply(t), x));
        // PyTorch's first line, word for word (its message for the same Function in the fixture).
        var pytorch = Root.GetProperty("wrong_backward").GetString()!;
        Assert.StartsWith(pytorch[..pytorch.IndexOf('\n')], e.Message);
        Assert.StartsWith("Jacobian mismatch for output 0 with respect to input 0,", e.Message);
        Assert.Contains("first at input element 0 (output element 0)", e.Message);
        Assert.Contains("6 of 36 elements differ", e.Message);
        Assert.Contains("numerical:", e.Message);
        Assert.Contains("analytical:", e.Message);
        Assert.False(GradCheck.Check(t => DoubledTanhFunction.apply(t), x, new GradCheckOptions { RaiseException = false }));
    }

    [Fact]
    public void TheSecondInputIsNamedWhenItsGradientIsWrong()
    {
        // w's gradient is doubled, x's is right: the message names input 1.
        Tensor[] inputs = [Random(2, 3), Random(3)];
        var e = Assert.Throws<GradCheckException>(() => GradCheck.Check(a => [a[0] * a[1].detach() + DoubledTanhFunction.apply(a[1]) - a[1].tanh()], inputs));
        Assert.StartsWith("Jacobian mismatch for output 0 with respect to input 1,", e.Message);
    }

    [Fact]
    public void CorrectCustomFunctionsPass()
    {
        var x = Random(3, 4);
        Assert.True(GradCheck.Check(t => SwishFunction.apply(t), x));
        Assert.True(GradGradCheck.Check(t => SwishFunction.apply(t), x));
        // Away from the kinks at +-1 (the check perturbs by 1e-6), where the clamp is differentiable.
        var points = tensor(new[] { -2.5, -0.99, -0.3, 0.0, 0.42, 0.999, 1.7 }, float64).requires_grad_(true);
        Assert.True(GradCheck.Check(t => StraightThroughClampFunction.apply(t), points));
    }

    [Fact]
    public void LowPrecisionAndNoGradInputsAreRefusedWithPyTorchsWords()
    {
        var e = Assert.Throws<ArgumentException>(() => GradCheck.Check(t => t.tanh(), randn(3).requires_grad_(true)));
        Assert.Contains("Input #0 requires gradient and is not a double precision floating point or complex.", e.Message);
        Assert.Contains("float64", e.Message);
        e = Assert.Throws<ArgumentException>(() => GradCheck.Check(t => t.tanh(), randn(3, float64)));
        Assert.Contains("at least one input tensor to require gradient", e.Message);
    }

    /// <summary>
    /// Fake quantization rounds, so its true derivative is zero almost everywhere and undefined at the rounding
    /// steps: a plain gradcheck must fail, and that is right. What "passes" means for a straight-through estimator is
    /// that its backward is the gradient of the surrogate it claims: here the clamp to the representable range
    /// [(qmin - 0.5 - zp) s, (qmax + 0.5 - zp) s], whose Jacobian is the diagonal mask PyTorch documents for
    /// fake_quantize (1 where round(x / s) + zp lies in [qmin, qmax], else 0). So: FakeQuantize's analytical Jacobian is
    /// that mask, equal to PyTorch's gradient of torch.fake_quantize_per_tensor_affine at the same points, and the
    /// surrogate itself passes gradcheck there (points away from the rounding and clamping boundaries).
    /// </summary>
    [Fact]
    public void FakeQuantizeIsStraightThroughWithPyTorchsMask()
    {
        var fq = Root.GetProperty("fake_quantize");
        double scale = fq.GetProperty("scale").GetDouble();
        int zero = fq.GetProperty("zero_point").GetInt32(), qmin = fq.GetProperty("quant_min").GetInt32(), qmax = fq.GetProperty("quant_max").GetInt32();
        var p = new QuantParams([(float)scale], [zero], qmin, qmax);
        var x = tensor(Flat(fq.GetProperty("x")), float64).requires_grad_(true);
        Tensor[] FakeQuantize(Tensor[] a) => [QuantMath.FakeQuantize(a[0], p)];

        var mask = Flat(fq.GetProperty("grad"));
        var jacobian = GradCheck.AnalyticalJacobian(FakeQuantize, [x], 0, 0);
        for (int r = 0; r < mask.Length; r++)
            for (int c = 0; c < mask.Length; c++)
                Assert.True(jacobian[r, c] == (r == c ? mask[r] : 0), $"d out[{c}] / d x[{r}] = {jacobian[r, c]}; PyTorch's straight-through mask gives {(r == c ? mask[r] : 0)}");

        // The rounding's own derivative: zero at every point (none sits on a step), so the true gradcheck fails.
        Assert.All(GradCheck.NumericalJacobian(FakeQuantize, [x], 0, 0).Cast<double>(), v => Assert.Equal(0, v));
        Assert.False(GradCheck.Check(FakeQuantize, [x], new GradCheckOptions { RaiseException = false }));

        double lo = (qmin - 0.5 - zero) * (float)scale, hi = (qmax + 0.5 - zero) * (float)scale;
        Tensor[] Surrogate(Tensor[] a) => [a[0].clamp(lo, hi)];
        Assert.True(GradCheck.Check(Surrogate, [x]));
        Assert.Equal(GradCheck.AnalyticalJacobian(Surrogate, [x], 0, 0).Cast<double>(), jacobian.Cast<double>());
    }
}
