using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kindling.Cli;

/// <summary>
/// What the commands print with --json. A diverged model has NaN metrics and JSON has no NaN: they are written as the
/// strings "NaN", "Infinity" and "-Infinity", as metrics.jsonl and summary.json write them (Python's json reads them back
/// as floats), so a broken model is reported, not a crash.
/// </summary>
static class CliJson
{
    static readonly JsonSerializerOptions Line = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
    static readonly JsonSerializerOptions Indented = new(Line) { WriteIndented = true };

    /// <summary>The value as JSON: one line, or indented for people.</summary>
    public static string Serialize<T>(T value, bool indented = false) => JsonSerializer.Serialize(value, indented ? Indented : Line);
}
