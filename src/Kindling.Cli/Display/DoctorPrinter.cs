using System.Text.Json;
using Kindling.Diagnostics.Doctor;
using Spectre.Console;

namespace Kindling.Cli.Display;

/// <summary>
/// A doctor report as a table (severity, check, finding, fix) on a terminal, as plain lines (one per finding,
/// its fix indented below) when redirected, or as JSON; for `kindling doctor` and the checks before `kindling train`.
/// </summary>
static class DoctorPrinter
{
    /// <summary>Exit code of `kindling doctor` (and of `kindling train` stopped by it) when a finding has error severity.</summary>
    public const int ErrorFound = 3;

    public static void Print(DoctorReport report, TextWriter output, bool asTable)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (report.Findings.Count > 0 && !asTable)
            foreach (var f in report.Findings)
            {
                output.WriteLine($"{f.Severity.ToString().ToLowerInvariant()} [{f.Check}] {f.Message}");
                if (f.Fix.Length > 0) output.WriteLine($"    fix: {f.Fix}");
            }
        else if (report.Findings.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumn("severity").AddColumn("check").AddColumn("finding").AddColumn("fix");
            foreach (var f in report.Findings)
                table.AddRow(Severity(f.Severity), CliErrors.Esc(f.Check), CliErrors.Esc(f.Message), CliErrors.Esc(f.Fix));
            console.Write(table);
        }
        int errors = report.Of(Kindling.Diagnostics.Doctor.Severity.Error).Count(), warnings = report.Of(Kindling.Diagnostics.Doctor.Severity.Warning).Count();
        output.WriteLine($"doctor: {errors} error{(errors == 1 ? "" : "s")}, {warnings} warning{(warnings == 1 ? "" : "s")}, " +
                          $"{report.Findings.Count - errors - warnings} info from {report.ChecksRun.Count} check{(report.ChecksRun.Count == 1 ? "" : "s")}" +
                          (report.ChecksSkipped.Count > 0 ? $" (skipped: {string.Join(", ", report.ChecksSkipped)})" : ""));
    }

    public static string Json(DoctorReport report) => CliJson.Serialize(new
    {
        errors = report.Of(Kindling.Diagnostics.Doctor.Severity.Error).Count(),
        warnings = report.Of(Kindling.Diagnostics.Doctor.Severity.Warning).Count(),
        findings = report.Findings.Select(f => new { check = f.Check, severity = f.Severity.ToString().ToLowerInvariant(), message = f.Message, fix = f.Fix }),
        checks_run = report.ChecksRun,
        checks_skipped = report.ChecksSkipped,
    }, indented: true);

    static string Severity(Severity s) => s switch
    {
        Kindling.Diagnostics.Doctor.Severity.Error => "[red]error[/]",
        Kindling.Diagnostics.Doctor.Severity.Warning => "[yellow]warning[/]",
        _ => "info",
    };
}
