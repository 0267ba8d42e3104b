namespace Kindling.Diagnostics.Doctor;

/// <summary>One thing a doctor check found: what is wrong and how to fix it.</summary>
/// <param name="Check">The check's name (e.g. "double-softmax").</param>
/// <param name="Severity">How bad it is.</param>
/// <param name="Message">What was measured and why it is a problem.</param>
/// <param name="Fix">What to change; empty for an informational finding.</param>
public sealed record Finding(string Check, Severity Severity, string Message, string Fix);
