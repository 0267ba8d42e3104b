using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Kindling.Reporting;

/// <summary>
/// The TensorBoard HParams plugin's summaries, made as TensorBoard's own hparams summary module makes
/// them (TorchSharp's SummaryWriter has no add_hparams): a Summary holding one value whose tag is
/// "_hparams_/experiment", "_hparams_/session_start_info" or "_hparams_/session_end_info" and whose
/// metadata's plugin data is plugin "hparams" with a serialized HParamsPluginData as content
/// (tensorboard/plugins/hparams/plugin_data.proto and api.proto; the messages are encoded here field
/// by field, their numbers written beside them). The experiment goes in the log folder's root run;
/// each session's start and end in the run that holds the session's scalars.
/// </summary>
public static class HParamsSummary
{
    /// <summary>
    /// The fixed name Kindling gives the event file holding a run's (or a sweep's) hparams summaries, so
    /// rewriting it replaces them; TensorBoard reads every file with "tfevents" in its name.
    /// </summary>
    public const string EventFileName = "events.out.tfevents.0.kindling-hparams";

    /// <summary>The plugin name TensorBoard looks for.</summary>
    public const string PluginName = "hparams";

    /// <summary>The tags of the three summaries.</summary>
    public const string ExperimentTag = "_hparams_/experiment", SessionStartTag = "_hparams_/session_start_info", SessionEndTag = "_hparams_/session_end_info";

    /// <summary>SessionEndInfo.status values (api.proto Status).</summary>
    public enum Status { Unknown = 0, Success = 1, Failure = 2, Running = 3 }

    /// <summary>The experiment: every hyperparameter with its domain, and the scalar tags that are its metrics.</summary>
    /// <param name="hparams">The hyperparameters.</param>
    /// <param name="metricTags">Scalar tags (e.g. accuracy/val), found in each session's own run.</param>
    /// <param name="timeCreated">Seconds since the epoch.</param>
    public static Tensorboard.Summary Experiment(IEnumerable<TensorBoardHParam> hparams, IEnumerable<string> metricTags, double timeCreated)
    {
        var experiment = new Proto();
        experiment.Double(3, timeCreated);                                  // time_created_secs
        foreach (var h in hparams)
        {
            var info = new Proto().String(1, h.Name);                       // HParamInfo.name
            if (h.Values is null)
            {
                info.Enum(4, 3);                                            // type = DATA_TYPE_FLOAT64
                info.Message(6, new Proto().Double(1, h.Min).Double(2, h.Max)); // domain_interval
            }
            else
            {
                var typed = h.Values.Select(Typed).ToList();
                var kind = typed.Select(v => v.KindCase).Distinct().ToList();
                info.Enum(4, kind.Count != 1 ? 1 : kind[0] switch { Value.KindOneofCase.NumberValue => 3, Value.KindOneofCase.BoolValue => 2, _ => 1 });
                var list = new ListValue();
                // Mixed kinds are declared as strings, so every value is one the domain holds.
                list.Values.AddRange(kind.Count == 1 ? typed : h.Values.Select(Value.ForString));
                info.Message(5, list.ToByteArray());                        // domain_discrete
            }
            experiment.Message(4, info);                                    // hparam_infos
        }
        foreach (var tag in metricTags)
            experiment.Message(5, new Proto().Message(1, new Proto().String(1, "").String(2, tag))); // metric_infos { name { group, tag } }
        return Summary(ExperimentTag, 2, experiment);                       // HParamsPluginData.experiment
    }

    /// <summary>A session's start: its hyperparameter values (numbers and booleans typed as such) and where its checkpoints are.</summary>
    public static Tensorboard.Summary SessionStart(IEnumerable<KeyValuePair<string, string>> hparams, double startTime, string? modelUri = null, string? groupName = null)
    {
        var start = new Proto();
        foreach (var (key, value) in hparams)
            start.Message(1, new Proto().String(1, key).Message(2, Typed(value).ToByteArray())); // map<string, Value> hparams
        if (modelUri is not null) start.String(2, modelUri);               // model_uri
        if (groupName is not null) start.String(4, groupName);             // group_name
        start.Double(5, startTime);                                         // start_time_secs
        return Summary(SessionStartTag, 3, start);                          // HParamsPluginData.session_start_info
    }

    /// <summary>A session's end.</summary>
    public static Tensorboard.Summary SessionEnd(Status status, double endTime) =>
        Summary(SessionEndTag, 4, new Proto().Enum(1, (int)status).Double(2, endTime)); // HParamsPluginData.session_end_info

    /// <summary>A number or true/false as such, anything else as a string: how the HParams tab sorts and filters it.</summary>
    public static Value Typed(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? Value.ForNumber(d)
        : text is "true" or "false" ? Value.ForBool(text == "true")
        : Value.ForString(text);

    static Tensorboard.Summary Summary(string tag, int dataField, Proto data)
    {
        // version (field 1) is 0, proto3's default, so it is not written: as TensorBoard writes it.
        var content = new Proto().Message(dataField, data).ToByteArray();
        var metadata = new Tensorboard.SummaryMetadata
        {
            PluginData = new Tensorboard.SummaryMetadata.Types.PluginData { PluginName = PluginName, Content = ByteString.CopyFrom(content) },
        };
        var summary = new Tensorboard.Summary();
        summary.Value.Add(new Tensorboard.Summary.Types.Value { Tag = tag, Metadata = metadata });
        return summary;
    }

    /// <summary>A protobuf message written field by field (wire format), for messages without generated classes.</summary>
    sealed class Proto
    {
        readonly MemoryStream bytes = new();
        readonly CodedOutputStream output;

        public Proto() => output = new CodedOutputStream(bytes, leaveOpen: true);

        public Proto String(int field, string value) { output.WriteTag(field, WireFormat.WireType.LengthDelimited); output.WriteString(value); return this; }
        public Proto Double(int field, double value) { output.WriteTag(field, WireFormat.WireType.Fixed64); output.WriteDouble(value); return this; }
        public Proto Enum(int field, int value) { output.WriteTag(field, WireFormat.WireType.Varint); output.WriteEnum(value); return this; }
        public Proto Message(int field, Proto message) => Message(field, message.ToByteArray());
        public Proto Message(int field, byte[] message) { output.WriteTag(field, WireFormat.WireType.LengthDelimited); output.WriteBytes(ByteString.CopyFrom(message)); return this; }

        public byte[] ToByteArray()
        {
            output.Flush();
            return bytes.ToArray();
        }
    }
}
