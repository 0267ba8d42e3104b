using Kindling.Data.Transforms;
using Kindling.Diagnostics.Doctor;
using Kindling.Diagnostics.Doctor.Checks;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Tests.Training;
using Kindling.Training;
using static Kindling.Tests.Diagnostics.DoctorFixtures;
using static TorchSharp.torch;

namespace Kindling.Tests.Diagnostics;

/// <summary>Each mistake the doctor knows, planted in an otherwise correct tiny recipe, is caught; the correct recipe is quiet.</summary>
[Collection("GlobalGenerator")]
public class DoctorTests
{
    public DoctorTests() => TorchRuntime.EnsureLoaded();

    static Finding Single(DoctorReport report, string check, Severity severity)
    {
        var found = report.Findings.Where(f => f.Check == check && f.Severity == severity).ToList();
        Assert.True(found.Count == 1, $"expected one {severity} from {check}; got:\n{Show(report)}");
        Assert.False(string.IsNullOrWhiteSpace(found[0].Fix));
        return found[0];
    }

    [Fact]
    public void ACorrectRecipeIsQuietEvenWithTheSlowChecks()
    {
        var report = Examine(Subject(), slow: true);
        Assert.False(report.HasErrors || report.HasWarnings, Show(report));
        Assert.Contains("overfit-one-batch", report.ChecksRun);
        Assert.Contains("gradient-flow", report.ChecksRun);
        Assert.Contains("learning-rate", report.ChecksRun);
    }

    [Fact]
    public void TheDoctorLeavesTheModelAsItFoundIt()
    {
        var subject = Subject();
        var model = subject.Model!;
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var rng = get_rng_state();
        Examine(subject, slow: true, new GradientFlowCheck(), new DeadReluCheck(), new OverfitOneBatchCheck());
        foreach (var (name, tensor) in model.state_dict())
            Assert.True(tensor.equal(before[name]).all().item<bool>(), $"{name} changed");
        Assert.True(get_rng_state().equal(rng).all().item<bool>(), "the generator moved");
    }

    [Fact]
    public void ValidatingOnTheTestSplitIsAWarningAndAHoldoutIsQuiet()
    {
        var f = Single(Examine(Subject() with { ValidatesOnTest = true }, slow: false, new ValidationSplitCheck()), "validation-split", Severity.Warning);
        Assert.Contains("test split", f.Message);
        Assert.Contains("data.validation.holdout", f.Fix);
        Assert.Empty(Examine(Subject() with { ValidatesOnTest = false }, slow: false, new ValidationSplitCheck()).Findings);
    }

    [Fact]
    public void AModelEndingInSoftmaxIsAnError()
    {
        var f = Single(Examine(Subject(PlantedFaults.EndsInSoftmax())), "double-softmax", Severity.Error);
        Assert.Contains("probabilities", f.Message);
    }

    [Fact]
    public void BatchNormWithBatchesOf8IsAWarningAndALastBatchOfOneAnError()
    {
        Assert.Contains("batches of 8", Single(Examine(Subject(batch: 8)), "batchnorm-batch-size", Severity.Warning).Message);
        Assert.Contains("last batch of one", Single(Examine(Subject(data: TinyData.Bands(129))), "batchnorm-batch-size", Severity.Error).Message);
        Assert.DoesNotContain(Examine(Subject(data: TinyData.Bands(129), dropLast: true)).Findings, f => f.Check == "batchnorm-batch-size");
    }

    [Fact]
    public void AnUnshuffledLoaderIsAWarning() =>
        Single(Examine(Subject(shuffle: false)), "shuffle", Severity.Warning);

    [Fact]
    public void EvalTransformsWithoutNormalizeAreAWarning()
    {
        var f = Single(Examine(Subject(eval: new ToTensor())), "preprocessing", Severity.Warning);
        Assert.Contains("differ", f.Message);
    }

    [Fact]
    public void UnnormalizedInputsAreAWarning()
    {
        var report = Examine(Subject(train: new ToTensor(), eval: new ToTensor()));
        Single(report, "input-normalization", Severity.Warning);
        Assert.DoesNotContain(report.Findings, f => f.Check == "preprocessing");
    }

    [Fact]
    public void Label12With10ClassesIsAnErrorAndMissingClassesAWarning()
    {
        var bands = TinyData.Bands(128);
        var data = new RelabeledDataset(bands, i => i == 100 ? 12 : bands.GetLabel(i), Enumerable.Range(0, 10).Select(c => $"c{c}").ToArray());
        var report = Examine(Subject(data: data));
        Assert.Contains("label 12 x1", Single(report, "labels", Severity.Error).Message);
        Assert.Contains("7 of 10 classes have no training sample", Single(report, "labels", Severity.Warning).Message);
    }

    [Fact]
    public void StrongClassImbalanceIsAWarning()
    {
        var bands = TinyData.Bands(128);
        var data = new RelabeledDataset(bands, i => i < 4 ? 1 : i < 8 ? 2 : 0);
        Assert.Contains("imbalanced", Single(Examine(Subject(data: data)), "labels", Severity.Warning).Message);
    }

    [Fact]
    public void FrozenAndUnusedLayersAreWarnings()
    {
        var frozen = ConvNet();
        foreach (var (name, p) in frozen.named_parameters())
            if (name.StartsWith("conv1.")) p.requires_grad = false;
        var report = Examine(Subject(frozen));
        Assert.Contains("conv1.weight", Single(report, "gradient-flow", Severity.Warning).Message);

        var unused = Examine(Subject(new PlantedFaults.WithUnusedLayer()));
        Assert.Contains("spare.weight", Single(unused, "gradient-flow", Severity.Warning).Message);
    }

    [Fact]
    public void ANaNProducingLayerIsAnErrorNamingThatLayer()
    {
        var f = Single(Examine(Subject(PlantedFaults.NanAfterFirstRelu())), "gradient-flow", Severity.Error);
        Assert.Contains("NaN", f.Message);
        Assert.Contains("bad (LogMinusOne)", f.Message);
    }

    [Fact]
    public void AHugeNegativeBiasKillsTheReLUs()
    {
        var f = Single(Examine(Subject(PlantedFaults.DeadRelu())), "dead-relu", Severity.Warning);
        Assert.True(f.Message.Contains("relu 100%"), f.Message);
        Assert.Contains("relu 100%", f.Message);
    }

    [Fact]
    public void ALossFarFromLnCIsAWarning()
    {
        var f = Single(Examine(Subject(PlantedFaults.HugeLogits())), "initial-loss", Severity.Warning);
        Assert.Contains("ln(3)", f.Message);
    }

    [Fact]
    public void AModelThatCannotOverfitOneBatchIsAnError()
    {
        // A loss against shuffled targets: every fast check passes, only training on one batch shows it.
        var shuffled = new PlantedFaults.ShuffledTargetsLoss();
        Assert.Empty(Examine(Subject(loss: shuffled)).Findings.Where(f => f.Severity != Severity.Info));
        var shortRun = new DoctorOptions { OverfitSteps = 60 };
        var broken = Examine(Subject(loss: shuffled), shortRun, new OverfitOneBatchCheck());
        Assert.Contains("cannot overfit one batch", Single(broken, "overfit-one-batch", Severity.Error).Message);

        var detached = Examine(Subject(new PlantedFaults.DetachedOutput()), shortRun, new GradientFlowCheck(), new OverfitOneBatchCheck());
        Single(detached, "overfit-one-batch", Severity.Error);
        Assert.Contains("does not depend on any trainable parameter", Single(detached, "gradient-flow", Severity.Error).Message);
    }

    [Fact]
    public void ALearningRateFarAboveTheRangeTestsIsAWarning()
    {
        var high = new TrainerOptions { Device = "cpu", Optimizer = new OptimizerOptions { Name = "sgd", Lr = 50, Momentum = 0.9 } };
        var f = Single(Examine(Subject(trainer: high), slow: true, new LearningRateCheck()), "learning-rate", Severity.Warning);
        Assert.Contains("reaches a learning rate of 50", f.Message);
    }

    [Fact]
    public void WeightDecayOnNormalizationParametersIsAWarning()
    {
        var decayAll = new TrainerOptions { Device = "cpu", Optimizer = new OptimizerOptions { Name = "adamw", WeightDecay = 0.05, DecayNormAndBias = true } };
        Assert.Contains("bn1.weight", Single(Examine(Subject(trainer: decayAll)), "norm-weight-decay", Severity.Warning).Message);
    }

    // Forward exact, input gradient 1.5 times too large: what a wrong backward kernel looks like to a model.
    static Tensor WrongInputGradient(Tensor x, Tensor w, long stride, long padding) =>
        nn.functional.conv2d(x + (x - x.detach()) * 0.5, w, strides: [stride, stride], padding: [padding, padding]);

    [Fact]
    public void ConvolutionsThatComputeWrongGradientsAreAnErrorForAConvolutionalModel()
    {
        var f = Single(Examine(Subject(), slow: false, new ConvolutionKernelsCheck(WrongInputGradient)), "convolution-kernels", Severity.Error);
        Assert.Contains("22 of 22 checks", f.Message);
        Assert.Contains("input gradient off by 50.0%", f.Message);
        Assert.Contains("2 convolution layers of this model", f.Message);
        Assert.Contains("ONEDNN_MAX_CPU_ISA=", f.Fix);
        // libtorch's own convolutions on this machine (capped where its CPU hides its caches) agree.
        Assert.Empty(Examine(Subject(), slow: false, new ConvolutionKernelsCheck()).Findings);
    }

    [Fact]
    public void AModelWithoutConvolutionsIsNotToldAboutThem()
    {
        var mlp = nn.Sequential(("flat", nn.Flatten()), ("fc", nn.Linear(1 * 8 * 8, 3)));
        Assert.Empty(Examine(Subject(mlp), slow: false, new ConvolutionKernelsCheck(WrongInputGradient)).Findings);
    }
}
