using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kindling.Tuning.Sweeps;

/// <summary>
/// sweep.json: the spec, the options, the successive-halving rung and every trial's state, rewritten
/// atomically (temporary file and rename) whenever a trial's state changes, so a killed sweep resumes
/// from it with nothing finished run twice.
/// </summary>
public sealed class SweepManifest
{
    public const string FileName = "sweep.json";

    public int Version { get; init; } = 1;

    /// <summary>The recipe file the sweep started from (for people; the trials use base.yaml beside the manifest).</summary>
    public string? Source { get; init; }

    public required SweepSpec Spec { get; init; }

    public required SweepOptions Options { get; init; }

    /// <summary>Successive halving's epoch budgets; null without halving.</summary>
    public IReadOnlyList<int>? Rungs { get; init; }

    /// <summary>The rung being trained (0-based).</summary>
    public int Rung { get; set; }

    public required List<SweepTrial> Trials { get; init; }

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Writes the manifest into <paramref name="folder"/> atomically.</summary>
    public void Save(string folder)
    {
        var path = Path.Combine(folder, FileName);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads <paramref name="folder"/>/sweep.json.</summary>
    /// <exception cref="FileNotFoundException">The folder is not a sweep folder.</exception>
    /// <exception cref="InvalidDataException">The manifest cannot be read.</exception>
    public static SweepManifest Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{folder} is not a sweep folder: it has no {FileName} (pass the folder `kindling sweep --out` wrote).", path);
        try
        {
            return JsonSerializer.Deserialize<SweepManifest>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} cannot be read: {e.Message}", e);
        }
    }
}
