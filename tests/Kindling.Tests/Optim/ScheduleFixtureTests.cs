using System.Text.Json;
using Kindling.Optim.Schedulers;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Optim;

/// <summary>Every schedule's LR (and cycled momentum) at every step equals PyTorch 1.13's (Oracle/make_schedule_fixtures.py).</summary>
public class ScheduleFixtureTests
{
    public static IEnumerable<object[]> Cases()
    {
        using var doc = OracleFixtures.Json("schedules/schedules.json");
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! }).ToList();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        TorchRuntime.EnsureLoaded();
        using var doc = OracleFixtures.Json("schedules/schedules.json");
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var args = c.GetProperty("args");
        var baseLrs = c.GetProperty("base_lrs").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var p1 = new TorchSharp.Modules.Parameter(zeros(1));
        var p2 = new TorchSharp.Modules.Parameter(zeros(1));
        optim.Optimizer opt = c.GetProperty("optimizer").GetString() == "sgd"
            ? optim.SGD(new[] { new TorchSharp.Modules.SGD.ParamGroup(new[] { p1 }, lr: baseLrs[0], momentum: 0.9), new TorchSharp.Modules.SGD.ParamGroup(new[] { p2 }, lr: baseLrs[1], momentum: 0.9) }, baseLrs[0], momentum: 0.9)
            : optim.Adam(new[] { new TorchSharp.Modules.Adam.ParamGroup(new[] { p1 }, lr: baseLrs[0]), new TorchSharp.Modules.Adam.ParamGroup(new[] { p2 }, lr: baseLrs[1]) }, baseLrs[0]);

        var schedule = Make(c.GetProperty("schedule").GetString()!, args, opt);
        var lrs = c.GetProperty("lrs").EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
        var moms = c.GetProperty("momenta").EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
        double[]? epochs = c.GetProperty("epochs").ValueKind == JsonValueKind.Array ? c.GetProperty("epochs").EnumerateArray().Select(x => x.GetDouble()).ToArray() : null;
        double[]? metrics = c.GetProperty("metrics").ValueKind == JsonValueKind.Array ? c.GetProperty("metrics").EnumerateArray().Select(x => x.GetDouble()).ToArray() : null;

        for (int step = 0; step < lrs.Length; step++)
        {
            if (step > 0)
            {
                if (metrics != null) ((ReduceLROnPlateau)schedule).Step(metrics[step - 1]);
                else if (epochs != null) ((CosineAnnealingWarmRestarts)schedule).Step(epochs[step - 1]);
                else schedule.Step();
            }
            var groups = opt.ParamGroups.ToArray();
            for (int g = 0; g < groups.Length; g++)
            {
                AssertClose(lrs[step][g], groups[g].LearningRate, $"{name}: lr of group {g} at step {step}");
                var momentum = groups[g] is optim.IBetas b ? b.Betas.Item1 : ((optim.IMomentum)groups[g]).Momentum;
                AssertClose(moms[step][g], momentum, $"{name}: momentum of group {g} at step {step}");
            }
        }
    }

    static void AssertClose(double expected, double actual, string what)
    {
        double tolerance = 1e-7 * Math.Max(Math.Abs(expected), 1e-12);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: PyTorch {expected:R}, Kindling {actual:R}");
    }

    static double[] Doubles(JsonElement e) => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(x => x.GetDouble()).ToArray() : new[] { e.GetDouble() };

    static double D(JsonElement args, string key, double fallback) => args.TryGetProperty(key, out var v) ? v.GetDouble() : fallback;

    static LrScheduler Make(string schedule, JsonElement a, optim.Optimizer opt) => schedule switch
    {
        "StepLR" => new StepLR(opt, a.GetProperty("step_size").GetInt32(), a.GetProperty("gamma").GetDouble()),
        "MultiStepLR" => new MultiStepLR(opt, a.GetProperty("milestones").EnumerateArray().Select(x => x.GetInt32()), a.GetProperty("gamma").GetDouble()),
        "ExponentialLR" => new ExponentialLR(opt, a.GetProperty("gamma").GetDouble()),
        "CosineAnnealingLR" => new CosineAnnealingLR(opt, a.GetProperty("T_max").GetDouble(), a.GetProperty("eta_min").GetDouble()),
        "CosineAnnealingWarmRestarts" => new CosineAnnealingWarmRestarts(opt, a.GetProperty("T_0").GetInt32(), a.GetProperty("T_mult").GetInt32(), a.GetProperty("eta_min").GetDouble()),
        "OneCycleLR" => new OneCycleLR(opt, Doubles(a.GetProperty("max_lr")),
            total_steps: a.TryGetProperty("total_steps", out var t) ? t.GetInt32() : null,
            epochs: a.TryGetProperty("epochs", out var e) ? e.GetInt32() : null,
            steps_per_epoch: a.TryGetProperty("steps_per_epoch", out var s) ? s.GetInt32() : null,
            pct_start: D(a, "pct_start", 0.3),
            anneal_strategy: a.TryGetProperty("anneal_strategy", out var an) && an.GetString() == "linear" ? AnnealStrategy.Linear : AnnealStrategy.Cos,
            cycle_momentum: !a.TryGetProperty("cycle_momentum", out var cm) || cm.GetBoolean(),
            base_momentum: D(a, "base_momentum", 0.85), max_momentum: D(a, "max_momentum", 0.95),
            div_factor: D(a, "div_factor", 25), final_div_factor: D(a, "final_div_factor", 1e4),
            three_phase: a.TryGetProperty("three_phase", out var tp) && tp.GetBoolean()),
        "ReduceLROnPlateau" => new ReduceLROnPlateau(opt, a.GetProperty("mode").GetString()!, a.GetProperty("factor").GetDouble(), a.GetProperty("patience").GetInt32(),
            a.GetProperty("threshold").GetDouble(), a.GetProperty("threshold_mode").GetString()!, a.GetProperty("cooldown").GetInt32(), Doubles(a.GetProperty("min_lr"))),
        "LinearWarmup" => new LinearWarmup(a.GetProperty("inner").GetString() == "cosine" ? new CosineAnnealingLR(opt, 40) : new StepLR(opt, 10, 0.5),
            a.GetProperty("warmup_steps").GetInt32(), a.GetProperty("start_factor").GetDouble()),
        _ => throw new ArgumentException($"no schedule {schedule}"),
    };
}
