using Kindling.Metrics;
using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Tests.Metrics;

public class MetricsTests
{
    public MetricsTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void SeedsAirplaneExample()
    {
        // The seeds: 100 images predicted "airplane", 80 of them right; 120 airplanes in all.
        var m = new ConfusionMatrix(2); // 0 = airplane, 1 = other
        m.Add(0, 0, 80);
        m.Add(1, 0, 20);
        m.Add(0, 1, 40);
        m.Add(1, 1, 860);
        var r = m.Report();
        Assert.Equal(80.0 / 100, r.PerClass[0].Precision, 12);
        Assert.Equal(80.0 / 120, r.PerClass[0].Recall, 12);
        double p = 0.8, rec = 80.0 / 120;
        Assert.Equal(2 * p * rec / (p + rec), r.PerClass[0].F1, 12);
        Assert.Equal(120, r.PerClass[0].Support);
        Assert.Equal(940.0 / 1000, r.Accuracy, 12);
    }

    [Fact]
    public void MacroAndWeightedAveragesByHand()
    {
        var m = new ConfusionMatrix(3);
        m.Update(tensor(new long[] { 0, 0, 1, 2, 2, 2 }), tensor(new long[] { 0, 1, 1, 2, 2, 0 }));
        // class 0: TP 1, predicted 2, support 2 -> P 1/2, R 1/2; class 1: TP 1, predicted 1, support 2 -> P 1, R 1/2;
        // class 2: TP 2, predicted 3, support 2 -> P 2/3, R 1.
        var r = m.Report();
        double f0 = 0.5, f1 = 2 * 1 * 0.5 / 1.5, f2 = 2 * (2 / 3.0) / (2 / 3.0 + 1);
        Assert.Equal((0.5 + 1 + 2 / 3.0) / 3, r.Macro.Precision, 12);
        Assert.Equal((0.5 + 0.5 + 1) / 3, r.Macro.Recall, 12);
        Assert.Equal((f0 + f1 + f2) / 3, r.Macro.F1, 12);
        Assert.Equal((2 * f0 + 2 * f1 + 2 * f2) / 6, r.Weighted.F1, 12);
        Assert.Equal(4.0 / 6, r.Accuracy, 12);
        Assert.Equal(2, m[1, 0] + m[1, 1] + m[1, 2]);
        Assert.Equal(1, m[0, 2]);
    }

    [Fact]
    public void ConfusionFromLogitsUsesArgmax()
    {
        var m = new ConfusionMatrix(3);
        m.Update(tensor(new float[] { 0.1f, 2f, 0f, 5f, 1f, 1f }, 2, 3), tensor(new long[] { 1, 2 }));
        Assert.Equal(1, m[1, 1]);
        Assert.Equal(1, m[2, 0]);
        Assert.Equal(2, m.Total);
    }

    [Fact]
    public void TopKCountsTrueClassAmongTheBest()
    {
        var logits = tensor(new float[] { 3, 2, 1, 0, /**/ 0, 1, 2, 3, /**/ 1, 3, 2, 0 }, 3, 4);
        var targets = tensor(new long[] { 1, 0, 1 });
        var top1 = new TopKAccuracy(1);
        var top2 = new TopKAccuracy(2);
        top1.Update(logits, targets);
        top2.Update(logits, targets);
        Assert.Equal(1 / 3.0, top1.Value, 12);
        Assert.Equal(2 / 3.0, top2.Value, 12);
    }

    [Fact]
    public void CalibrationErrorByHand()
    {
        var ece = new ExpectedCalibrationError(bins: 10);
        ece.Add(0.95, true);
        ece.Add(0.95, false); // bin (0.9, 1]: accuracy 0.5, confidence 0.95
        ece.Add(0.35, true);  // bin (0.3, 0.4]: accuracy 1, confidence 0.35
        ece.Add(0.0, false);  // first bin
        Assert.Equal(2 / 4.0 * 0.45 + 1 / 4.0 * 0.65 + 1 / 4.0 * 0.0, ece.Value, 12);
        Assert.Equal(2, ece.Reliability()[9].Count);
    }

    [Fact]
    public void PerfectlyConfidentCorrectModelHasZeroCalibrationError()
    {
        var ece = new ExpectedCalibrationError();
        ece.Update(tensor(new float[] { 100, 0, 0, 100 }, 2, 2), tensor(new long[] { 0, 1 }));
        Assert.True(ece.Value < 1e-6);
    }

    [Fact]
    public void OutOfRangeLabelsAreRefused()
    {
        var m = new ConfusionMatrix(2);
        Assert.Throws<ArgumentException>(() => m.Update(tensor(new long[] { 0, 1 }), tensor(new long[] { 0, 2 })));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(3, 0));
    }
}
