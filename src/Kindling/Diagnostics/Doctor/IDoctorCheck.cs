namespace Kindling.Diagnostics.Doctor;

/// <summary>
/// One check of <see cref="Doctor"/>: looks at a <see cref="DoctorContext"/> (model, data, loss,
/// optimizer) and reports what it finds. A check may train or run the model: the doctor restores the
/// model's weights, buffers, mode and libtorch's generator after each one.
/// </summary>
public interface IDoctorCheck
{
    /// <summary>Short kebab-case name, shown with each finding.</summary>
    string Name { get; }

    /// <summary>True when the check trains for many steps (skipped by <c>--skip-slow</c> and before training).</summary>
    bool Slow { get; }

    /// <summary>
    /// True when the check reads a classifier (its logits, its initial loss, training it on labels): the doctor skips it for
    /// other tasks (a GAN, an encoder), whose data and validation checks still run.
    /// </summary>
    bool NeedsClassifier => true;

    /// <summary>The findings; none when all is well.</summary>
    IEnumerable<Finding> Run(DoctorContext context);
}
