using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kindling.Training;

/// <summary>
/// metrics.jsonl's line format: <c>{"epoch": 1, &lt;the task's metrics in order&gt;, "learning_rate": ..., "grad_norm": ...,
/// "skipped_steps": ..., "seconds": ..., "images_per_second": ..., "best": ...}</c>, flat so pandas and jq read it as
/// columns. Non-finite values (a diverged run) are written as the strings "NaN", "Infinity" and "-Infinity" (what
/// Python's json module reads back as floats) instead of failing the write. Lines written before tasks existed read
/// the same: every other numeric key is a task metric.
/// </summary>
public sealed class EpochMetricsJson : JsonConverter<EpochMetrics>
{
    public override EpochMetrics Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("an epoch's metrics must be a JSON object.");
        var values = new Dictionary<string, double>();
        var m = new EpochMetrics();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null) continue;
            switch (name)
            {
                case "epoch": m = m with { Epoch = reader.GetInt32() }; break;
                case "best": m = m with { Best = reader.GetBoolean() }; break;
                case "learning_rate": m = m with { LearningRate = Number(ref reader) }; break;
                case "grad_norm": m = m with { GradNorm = Number(ref reader) }; break;
                case "skipped_steps": m = m with { SkippedSteps = reader.GetInt64() }; break;
                case "seconds": m = m with { Seconds = Number(ref reader) }; break;
                case "images_per_second": m = m with { ImagesPerSecond = Number(ref reader) }; break;
                default:
                    if (reader.TokenType is JsonTokenType.Number or JsonTokenType.String) values[name] = Number(ref reader);
                    else reader.Skip();
                    break;
            }
        }
        return m with { Values = values };
    }

    public override void Write(Utf8JsonWriter writer, EpochMetrics value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("epoch", value.Epoch);
        foreach (var (name, v) in value.Values) WriteNumber(writer, name, v);
        WriteNumber(writer, "learning_rate", value.LearningRate);
        if (value.GradNorm is double g) WriteNumber(writer, "grad_norm", g);
        writer.WriteNumber("skipped_steps", value.SkippedSteps);
        WriteNumber(writer, "seconds", value.Seconds);
        WriteNumber(writer, "images_per_second", value.ImagesPerSecond);
        writer.WriteBoolean("best", value.Best);
        writer.WriteEndObject();
    }

    /// <summary>A double, or its name when it is not finite (JSON has no NaN).</summary>
    public static void WriteNumber(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value)) writer.WriteNumber(name, value);
        else writer.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    static double Number(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.String
        ? reader.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => throw new JsonException($"'{s}' is not a number."),
        }
        : reader.GetDouble();
}
