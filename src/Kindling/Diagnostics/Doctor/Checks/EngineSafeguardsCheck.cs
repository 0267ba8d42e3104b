namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// Seed 004's third and eighth mistakes, forgetting <c>model.eval()</c> before evaluating and <c>optimizer.zero_grad()</c>
/// between steps, cannot happen in a run the engine drives: <c>Trainer</c> and <c>TrainingSession</c> put the task's
/// modules in eval mode (and inference mode) around every validation and set gradients to none at the start of every
/// optimizer window. The report says so, as information, so a reader of the checklist sees every item accounted for
/// rather than two silently missing; a task's own Validate that undoes the first is caught by <see cref="ValidationModeCheck"/>.
/// </summary>
public sealed class EngineSafeguardsCheck : IDoctorCheck
{
    /// <inheritdoc/>
    public string Name => "engine-safeguards";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public bool NeedsClassifier => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        yield return new Finding(Name, Severity.Info,
            "forgetting model.eval() is prevented by the engine: Trainer.Evaluate puts every module of the task in eval mode (dropout off, " +
            "BatchNorm on its running statistics) and turns inference mode on for each validation, then puts the modes back.",
            "");
        yield return new Finding(Name, Severity.Info,
            "forgetting optimizer.zero_grad() is prevented by the engine: TrainingSession sets every gradient to none when an optimizer window " +
            "begins, so gradients accumulate only over the accumulation steps you ask for (training.accumulation_steps).",
            "");
    }
}
