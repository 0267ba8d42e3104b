using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kindling.Reporting;

/// <summary>The JSON conventions of a run folder: snake_case keys, as Python tools (pandas, jq scripts) expect them.</summary>
static class RunJson
{
    /// <summary>One object per line (metrics.jsonl).</summary>
    public static readonly JsonSerializerOptions Line = Create(indented: false);

    /// <summary>Whole documents (summary.json, environment.json), indented for people.</summary>
    public static readonly JsonSerializerOptions Document = Create(indented: true);

    static JsonSerializerOptions Create(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = indented,
        // A metric not measured (no validation split, no EMA) is left out rather than written as null.
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // A diverged run has NaN losses; they must not make the log unwritable.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes through a temporary file and a rename, so a killed run never leaves half a document.</summary>
    public static void WriteAtomic(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
