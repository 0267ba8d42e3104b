using Kindling.Diagnostics.Doctor;
using Kindling.Diagnostics.Doctor.Checks;
using Kindling.Runtime;
using static Kindling.Tests.Diagnostics.DoctorFixtures;
using static TorchSharp.torch;

namespace Kindling.Tests.Diagnostics;

/// <summary>Seed 004's items 3 and 8 are reported as prevented by the engine; a task's validation that leaves dropout on is caught.</summary>
[Collection("GlobalGenerator")]
public class EngineAndValidationModeTests
{
    public EngineAndValidationModeTests() => TorchRuntime.EnsureLoaded();

    static nn.Module<Tensor, Tensor> WithDropout() => nn.Sequential(("body", ConvNet()), ("drop", nn.Dropout(0.5)));

    [Fact]
    public void TheReportSaysTheEnginePreventsForgettingEvalAndZeroGrad()
    {
        var report = Examine(Subject(), slow: false);
        Assert.Contains("engine-safeguards", report.ChecksRun);
        var infos = report.Findings.Where(f => f.Check == "engine-safeguards").ToList();
        Assert.Equal(2, infos.Count);
        Assert.All(infos, f => Assert.Equal(Severity.Info, f.Severity));
        Assert.Contains(infos, f => f.Message.Contains("model.eval()") && f.Message.Contains("prevented by the engine"));
        Assert.Contains(infos, f => f.Message.Contains("optimizer.zero_grad()") && f.Message.Contains("prevented by the engine"));
        Assert.False(report.HasErrors || report.HasWarnings, Show(report));
    }

    [Fact]
    public void AValidateThatSwitchesToTrainModeIsAWarning()
    {
        var model = WithDropout();
        var subject = Subject(model) with { Task = new TrainModeInValidateTask(model, 3) };
        var report = Examine(subject, slow: false, new ValidationModeCheck());
        var f = Assert.Single(report.Findings);
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Contains("validating the same batch twice gave different results", f.Message);
        Assert.Contains("loss", f.Message);
        Assert.Contains("train()", f.Fix);
    }

    [Fact]
    public void ACorrectTaskWithDropoutIsQuietAndKeepsItsMode()
    {
        var model = WithDropout();
        model.train();
        var subject = Subject(model) with { Task = new Kindling.Training.Tasks.ClassificationTask(model, 3) };
        Assert.Empty(Examine(subject, slow: false, new ValidationModeCheck()).Findings);
        Assert.True(model.training, "the doctor left the model in eval mode");
        // The default task (no Task given) is quiet too.
        Assert.Empty(Examine(Subject(WithDropout()), slow: false, new ValidationModeCheck()).Findings);
    }
}
