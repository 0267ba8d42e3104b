namespace Kindling.Diagnostics.Doctor;

/// <summary>How bad a doctor's finding is. Training refuses to start on an error; a warning is printed and training goes on.</summary>
public enum Severity
{
    /// <summary>Worth knowing; nothing is wrong.</summary>
    Info,

    /// <summary>Probably hurts training; the run can go on.</summary>
    Warning,

    /// <summary>Training would be wasted: the run is stopped before it starts.</summary>
    Error,
}
