namespace Kindling.Diagnostics.Doctor;

/// <summary>What a doctor run found: every finding, most severe first, and which checks ran or were skipped.</summary>
public sealed record DoctorReport(IReadOnlyList<Finding> Findings, IReadOnlyList<string> ChecksRun, IReadOnlyList<string> ChecksSkipped)
{
    /// <summary>True when a finding has error severity: training would be wasted.</summary>
    public bool HasErrors => Findings.Any(f => f.Severity == Severity.Error);

    /// <summary>True when a finding has warning severity.</summary>
    public bool HasWarnings => Findings.Any(f => f.Severity == Severity.Warning);

    /// <summary>The findings of one severity.</summary>
    public IEnumerable<Finding> Of(Severity severity) => Findings.Where(f => f.Severity == severity);
}
