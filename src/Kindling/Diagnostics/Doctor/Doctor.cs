using Kindling.Diagnostics.Doctor.Checks;
using Kindling.Runtime;
using Kindling.Training.Tasks;
using Kindling.Tuning;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor;

/// <summary>
/// Runs checks against a recipe's model, data, loss and optimizer before training and says what is
/// wrong and how to fix it (the seeds' debugging checklist, 004 8.1, made automatic). Every check leaves
/// the model as it found it: weights, buffers, gradients, train/eval mode and libtorch's generator are restored.
/// </summary>
/// <example><code>
/// using var run = RecipeBuilder.Build(Recipe.Load("configs/cifar10-fast.yaml"));
/// var report = new Doctor().Run(RecipeDoctor.Subject(run), new DoctorOptions { SkipSlow = true });
/// foreach (var f in report.Findings) Console.WriteLine($"{f.Severity}: {f.Message} Fix: {f.Fix}");
/// </code></example>
public sealed class Doctor
{
    /// <param name="checks">The checks to run, in order; null: <see cref="DefaultChecks"/>.</param>
    public Doctor(IEnumerable<IDoctorCheck>? checks = null) => Checks = (checks ?? DefaultChecks()).ToList();

    /// <summary>The checks this doctor runs.</summary>
    public IReadOnlyList<IDoctorCheck> Checks { get; }

    /// <summary>Every built-in check: the machine's kernels, the data, then the model on one batch, then the slow ones.</summary>
    public static IReadOnlyList<IDoctorCheck> DefaultChecks() =>
    [
        new ConvolutionKernelsCheck(), new ValidationSplitCheck(), new LabelCheck(), new ShuffleCheck(), new InputNormalizationCheck(), new PreprocessingCheck(),
        new BatchNormBatchSizeCheck(), new NormWeightDecayCheck(), new DoubleSoftmaxCheck(), new InitialLossCheck(),
        new GradientFlowCheck(), new DeadReluCheck(), new ValidationModeCheck(), new EngineSafeguardsCheck(), new OverfitOneBatchCheck(), new LearningRateCheck(),
    ];

    /// <summary>Runs the checks (the slow ones unless <see cref="DoctorOptions.SkipSlow"/>) and returns the findings, errors first.</summary>
    /// <param name="subject">What to examine.</param>
    /// <param name="options">Thresholds and switches; null: defaults.</param>
    /// <param name="starting">Told the name of each check as it starts (progress for the slow ones).</param>
    public DoctorReport Run(DoctorSubject subject, DoctorOptions? options = null, Action<IDoctorCheck>? starting = null)
    {
        TorchRuntime.EnsureLoaded();
        options ??= new DoctorOptions();
        var findings = new List<Finding>();
        var ran = new List<string>();
        var skipped = new List<string>();
        // Checks that read a classifier run only on one; a GAN or an encoder gets the data and validation checks.
        bool classifier = subject.Model is not null && subject.Task is null or ClassificationTask;
        nn.Module model = subject.Task?.Network ?? subject.Model
            ?? throw new ArgumentException("the doctor's subject has neither a model nor a task to examine.", nameof(subject));
        // As the Trainer will run it: on its device, with its threads.
        if (subject.Trainer.Threads is int threads) set_num_threads(threads);
        model.to(Devices.Resolve(subject.Trainer.Device));
        using var context = new DoctorContext(subject, options);
        using var saved = ModelSnapshot.Take(model);
        using var rng = get_rng_state();
        foreach (var check in Checks)
        {
            if ((check.Slow && options.SkipSlow) || (check.NeedsClassifier && !classifier))
            {
                skipped.Add(check.Name);
                continue;
            }
            starting?.Invoke(check);
            try
            {
                findings.AddRange(check.Run(context));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A broken recipe can make a check's forward pass throw (a label past the last class does): that is a finding too.
                findings.Add(new Finding(check.Name, Severity.Error, $"the check could not run: {e.Message}",
                    "Fix what the message names (and any other error reported here) and run the doctor again."));
            }
            finally
            {
                // Checks run the model (BatchNorm statistics move) or train it, and draw from the generator.
                saved.Restore();
                set_rng_state(rng);
            }
            ran.Add(check.Name);
        }
        return new DoctorReport(findings.OrderByDescending(f => f.Severity).ToList(), ran, skipped);
    }
}
