using System.Globalization;
using Kindling.Config;
using Kindling.Config.Tools;
using Kindling.Tuning;
using Kindling.Tuning.Sweeps;

namespace Kindling.Tests.Tuning;

public class SweepSpecTests
{
    static string Show(IReadOnlyList<KeyValuePair<string, string>> trial) => string.Join(" ", trial.Select(kv => $"{kv.Key}={kv.Value}"));

    [Fact]
    public void GridIsTheCartesianProductWithTheFirstKeyVaryingSlowest()
    {
        var spec = SweepSpec.Grid(["optimizer.name=adamw,sgd", "optimizer.lr=1e-3,3e-3,1e-2"]);
        var trials = spec.Expand().Select(Show).ToList();
        Assert.Equal(
        [
            "optimizer.name=adamw optimizer.lr=1e-3", "optimizer.name=adamw optimizer.lr=3e-3", "optimizer.name=adamw optimizer.lr=1e-2",
            "optimizer.name=sgd optimizer.lr=1e-3", "optimizer.name=sgd optimizer.lr=3e-3", "optimizer.name=sgd optimizer.lr=1e-2",
        ], trials);
        Assert.False(spec.IsRandom);
    }

    [Fact]
    public void ListedCasesAreTheTrialsAsGivenAndKeepTheRecipesValueForKeysTheyLeaveOut()
    {
        var spec = SweepSpec.FromCases(["optimizer.name=adam;optimizer.lr=1e-3", "optimizer.name=sgd;optimizer.lr=0.01;optimizer.momentum=0.9",
            "optimizer.name=adamw;training.epochs=30", "optimizer.betas=[0.9, 0.99]"]);
        Assert.Equal(
        [
            "optimizer.name=adam optimizer.lr=1e-3", "optimizer.name=sgd optimizer.lr=0.01 optimizer.momentum=0.9",
            "optimizer.name=adamw training.epochs=30", "optimizer.betas=[0.9, 0.99]",
        ], spec.Expand().Select(Show));
        Assert.Equal(["optimizer.name", "optimizer.lr", "optimizer.momentum", "training.epochs", "optimizer.betas"], spec.Dimensions.Select(d => d.Key));
        Assert.Equal(["adam", "sgd", "adamw"], spec.Dimensions[0].Values!);
        // The manifest stores the spec as JSON: cases survive the round trip.
        var back = System.Text.Json.JsonSerializer.Deserialize<SweepSpec>(System.Text.Json.JsonSerializer.Serialize(spec))!;
        Assert.Equal(spec.Expand().Select(Show), back.Expand().Select(Show));

        Assert.Contains("sets optimizer.lr twice", Assert.Throws<SweepSpecException>(() => SweepSpec.FromCases(["optimizer.lr=1;optimizer.lr=2"])).Message);
        Assert.Contains("is listed twice", Assert.Throws<SweepSpecException>(() => SweepSpec.FromCases(["a.b=1;c.d=2", "c.d=2;a.b=1"])).Message);
        Assert.Contains("expected KEY=VALUE", Assert.Throws<SweepSpecException>(() => SweepSpec.FromCases(["optimizer.lr"])).Message);
    }

    [Fact]
    public void RandomDrawsStayInTheirRangesAreLogUniformAndRepeatForASeed()
    {
        var spec = SweepSpec.Random(400, ["optimizer.lr=1e-4:1e-1:log", "model.drop_rate=0:0.5", "data.batch_size=64:256"], ["optimizer.name=adamw,sgd"], seed: 3);
        var trials = spec.Expand();
        Assert.Equal(400, trials.Count);
        double Value(IReadOnlyList<KeyValuePair<string, string>> t, string key) => double.Parse(t.Single(kv => kv.Key == key).Value, CultureInfo.InvariantCulture);
        var lrs = trials.Select(t => Value(t, "optimizer.lr")).ToList();
        Assert.All(lrs, lr => Assert.InRange(lr, 1e-4, 1e-1));
        // Log-uniform: each decade holds about a third of the draws (uniform would put ~90% in the top decade).
        foreach (var (lo, hi) in new[] { (1e-4, 1e-3), (1e-3, 1e-2), (1e-2, 1e-1) })
            Assert.InRange(lrs.Count(lr => lr >= lo && lr < hi), 90, 180);
        var drops = trials.Select(t => Value(t, "model.drop_rate")).ToList();
        Assert.All(drops, d => Assert.InRange(d, 0, 0.5));
        Assert.InRange(drops.Count(d => d < 0.25), 160, 240);
        Assert.All(trials, t => Assert.Matches("^[0-9]+$", t.Single(kv => kv.Key == "data.batch_size").Value));
        Assert.All(trials.Select(t => Value(t, "data.batch_size")), b => Assert.InRange(b, 64, 256));
        Assert.Equal(["adamw", "sgd"], trials.Select(t => t.Single(kv => kv.Key == "optimizer.name").Value).Distinct().Order());

        var again = SweepSpec.Random(400, ["optimizer.lr=1e-4:1e-1:log", "model.drop_rate=0:0.5", "data.batch_size=64:256"], ["optimizer.name=adamw,sgd"], seed: 3).Expand();
        Assert.Equal(trials.Select(Show), again.Select(Show));
        var other = SweepSpec.Random(400, ["optimizer.lr=1e-4:1e-1:log", "model.drop_rate=0:0.5", "data.batch_size=64:256"], ["optimizer.name=adamw,sgd"], seed: 4).Expand();
        Assert.NotEqual(trials.Select(Show), other.Select(Show));
    }

    [Theory]
    [InlineData("--grid", "optimizer.lr=", "no values")]
    [InlineData("--grid", "optimizer.lr=1e-3,,3e-3", "empty value")]
    [InlineData("--grid", "optimizer.lr", "expected KEY=V1,V2")]
    [InlineData("--grid", "optimizer.lr=1e-3,1e-3", "listed twice")]
    [InlineData("--range", "optimizer.lr=1e-1:1e-4", "MIN must be below MAX")]
    [InlineData("--range", "optimizer.lr=0:1e-1:log", "above 0")]
    [InlineData("--range", "optimizer.lr=small:big", "not a number")]
    [InlineData("--range", "optimizer.lr=1e-4:1e-1:ln", "MIN:MAX or MIN:MAX:log")]
    public void BadSpecsSayWhichFlagAndWhatWasExpected(string flag, string text, string expected)
    {
        var e = Assert.Throws<SweepSpecException>(() => flag == "--grid" ? SweepSpec.Grid([text]) : SweepSpec.Random(2, [text]));
        Assert.Contains(flag, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void NoKeysARepeatedKeyAndNoTrialsAreRefused()
    {
        Assert.Contains("--grid KEY=V1,V2", Assert.Throws<SweepSpecException>(() => SweepSpec.Grid([])).Message);
        Assert.Contains("swept twice", Assert.Throws<SweepSpecException>(() => SweepSpec.Grid(["optimizer.lr=1,2", "optimizer.lr=3"])).Message);
        Assert.Contains("at least 1 trial", Assert.Throws<SweepSpecException>(() => SweepSpec.Random(0, ["optimizer.lr=1e-4:1e-1"])).Message);
    }

    [Fact]
    public void AnUnknownKeyIsRefusedWithASuggestionBeforeAnythingIsWritten()
    {
        using var tmp = new TempDir();
        var folder = Path.Combine(tmp.Path, "sweep");
        var e = Assert.Throws<SweepSpecException>(() => Sweep.Create(folder, Recipe.Parse(""), SweepSpec.Grid(["optimizer.lrr=1e-3,3e-3"])));
        Assert.Contains("--grid optimizer.lrr", e.Message);
        Assert.Contains("did you mean 'optimizer.lr'", e.Message);
        Assert.False(Directory.Exists(folder));

        var bad = Assert.Throws<SweepSpecException>(() => Sweep.Create(folder, Recipe.Parse(""), SweepSpec.Grid(["optimizer.lr=fast,3e-3"])));
        Assert.Contains("optimizer.lr", bad.Message);
        Assert.Contains("'fast'", bad.Message);
        var metric = Assert.Throws<SweepSpecException>(() => Sweep.Create(folder, Recipe.Parse(""), SweepSpec.Grid(["optimizer.lr=1e-3"]), new SweepOptions { Metric = "val_acc" }));
        Assert.Contains("--metric val_acc", metric.Message);
        Assert.Contains("val_accuracy", metric.Message);
        Assert.False(Directory.Exists(folder));
    }
}
