using System.Text.Json;
using Kindling.Optim;
using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Tests.Optim;

/// <summary>Parameters after every step of every optimizer equal PyTorch 1.13's (Oracle/make_optimizer_fixtures.py).</summary>
public class OptimizerFixtureTests
{
    public static IEnumerable<object[]> Cases()
    {
        using var doc = OracleFixtures.Json("optimizers/optimizers.json");
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! }).ToList();
    }

    static double[] Flat(JsonElement e) => e.ValueKind == JsonValueKind.Array
        ? e.EnumerateArray().SelectMany(Flat).ToArray()
        : new[] { e.GetDouble() };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        TorchRuntime.EnsureLoaded();
        using var doc = OracleFixtures.Json("optimizers/optimizers.json");
        var root = doc.RootElement;
        var c = root.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var a = c.GetProperty("args");
        double D(string key, double fallback) => a.TryGetProperty(key, out var v) ? v.GetDouble() : fallback;
        bool B(string key) => a.TryGetProperty(key, out var v) && v.GetBoolean();
        var betas = a.TryGetProperty("betas", out var bt) ? Flat(bt) : new[] { 0.9, 0.999 };
        var options = new OptimizerOptions
        {
            Name = c.GetProperty("optimizer").GetString()!,
            Lr = D("lr", 1e-3), Momentum = D("momentum", 0), Dampening = D("dampening", 0), Nesterov = B("nesterov"),
            Beta1 = betas[0], Beta2 = betas[1], Eps = a.TryGetProperty("eps", out var eps) ? eps.GetDouble() : null,
            WeightDecay = D("weight_decay", 0), Amsgrad = B("amsgrad"), LrDecay = D("lr_decay", 0), InitialAccumulatorValue = D("initial_accumulator_value", 0), Alpha = D("alpha", 0.99),
            Centered = B("centered"), MomentumDecay = D("momentum_decay", 4e-3),
            Lookahead = c.TryGetProperty("lookahead", out var la) ? new LookaheadOptions(la.GetProperty("k").GetInt32(), la.GetProperty("alpha").GetDouble()) : null,
        };

        var model = nn.Linear(3, 2, dtype: float64);
        using (no_grad())
        {
            model.weight!.copy_(tensor(Flat(root.GetProperty("w0")), new long[] { 2, 3 }, float64));
            model.bias!.copy_(tensor(Flat(root.GetProperty("b0")), float64));
        }
        var x = tensor(Flat(root.GetProperty("x")), new long[] { 8, 3 }, float64);
        var y = tensor(Flat(root.GetProperty("y")), new long[] { 8, 2 }, float64);
        using var optimizer = OptimizerFactory.Create(model, options);

        int step = 0;
        foreach (var expected in c.GetProperty("steps").EnumerateArray())
        {
            step++;
            using (var scope = NewDisposeScope())
            {
                model.zero_grad();
                var loss = (model.forward(x) - y).pow(2).mean();
                loss.backward();
                optimizer.step();
            }
            Compare(Flat(expected.GetProperty("weight")), model.weight!, $"{name}: weight after step {step}");
            Compare(Flat(expected.GetProperty("bias")), model.bias!, $"{name}: bias after step {step}");
        }
    }

    static void Compare(double[] expected, Tensor actual, string what)
    {
        var got = actual.detach().cpu().data<double>().ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - got[i]) <= 1e-9 + 1e-7 * Math.Abs(expected[i]), $"{what}, element {i}: PyTorch {expected[i]:R}, Kindling {got[i]:R}");
    }
}
