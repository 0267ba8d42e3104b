using Google.Protobuf.WellKnownTypes;
using Kindling.Reporting;

namespace Kindling.Tests.Reporting;

/// <summary>
/// The hparams event files decode back, record framing and CRCs checked independently (EventFile), as
/// TensorBoard's hparams plugin reads them: a Summary value with plugin "hparams" whose content is an
/// HParamsPluginData (plugin_data.proto: version 1, experiment 2, session_start_info 3, session_end_info 4).
/// </summary>
public class HParamsSummaryTests
{
    static (string Tag, ProtoFields Data) Decode(Tensorboard.Summary.Types.Value v)
    {
        Assert.Equal("hparams", v.Metadata.PluginData.PluginName);
        var data = new ProtoFields(v.Metadata.PluginData.Content.ToByteArray());
        Assert.False(data.Has(1)); // version 0, proto3's default, as TensorBoard writes it
        return (v.Tag, data);
    }

    static List<Tensorboard.Event> Events(string path) => EventFile.Records(path).Select(r => Tensorboard.Event.Parser.ParseFrom(r)).ToList();

    [Fact]
    public void TheExperimentDeclaresEachHyperparameterWithItsDomainAndTheMetricTags()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "events.out.tfevents.0.kindling-hparams");
        EventFileWriter.Write(path, [HParamsSummary.Experiment(
            [new TensorBoardHParam("optimizer.lr", null, 1e-4, 0.1), new TensorBoardHParam("optimizer.name", ["adamw", "sgd"]),
             new TensorBoardHParam("data.batch_size", ["64", "128"]), new TensorBoardHParam("data.shuffle", ["true", "false"])],
            ["accuracy/val", "loss/val"], 1700000000.5)], 1700000000.5);

        var events = Events(path);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var (tag, data) = Decode(events[1].Summary.Value.Single());
        Assert.Equal(HParamsSummary.ExperimentTag, tag);
        var experiment = data.Message(2);
        Assert.Equal(1700000000.5, experiment.Double(3));
        var infos = experiment.Messages(4).ToList();
        Assert.Equal(["optimizer.lr", "optimizer.name", "data.batch_size", "data.shuffle"], infos.Select(i => i.String(1)));
        // DataType: FLOAT64 3, STRING 1, BOOL 2.
        Assert.Equal([3ul, 1ul, 3ul, 2ul], infos.Select(i => i.Varint(4)));
        var interval = infos[0].Message(6);
        Assert.Equal((1e-4, 0.1), (interval.Double(1), interval.Double(2)));
        Assert.Equal(["adamw", "sgd"], ListValue.Parser.ParseFrom(infos[1].Bytes(5)).Values.Select(v => v.StringValue));
        Assert.Equal([64.0, 128.0], ListValue.Parser.ParseFrom(infos[2].Bytes(5)).Values.Select(v => v.NumberValue));
        Assert.Equal([true, false], ListValue.Parser.ParseFrom(infos[3].Bytes(5)).Values.Select(v => v.BoolValue));
        var metrics = experiment.Messages(5).Select(m => m.Message(1)).ToList();
        Assert.Equal(["accuracy/val", "loss/val"], metrics.Select(m => m.String(2)));
        Assert.All(metrics, m => Assert.Equal("", m.String(1))); // group "": the scalars are in the session's own run
    }

    [Fact]
    public void ASessionRecordsItsTypedValuesAndHowItEnded()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "events.out.tfevents.0.kindling-hparams");
        EventFileWriter.Write(path,
        [
            HParamsSummary.SessionStart([new("optimizer.lr", "3e-3"), new("optimizer.name", "sgd"), new("data.shuffle", "false")], 1700000000, "/runs/a/checkpoints"),
            HParamsSummary.SessionEnd(HParamsSummary.Status.Success, 1700000100),
        ], 1700000100, step: 7);

        var events = Events(path);
        Assert.Equal(3, events.Count);
        Assert.All(events.Skip(1), e => Assert.Equal(7, e.Step));
        var (startTag, start) = Decode(events[1].Summary.Value.Single());
        Assert.Equal(HParamsSummary.SessionStartTag, startTag);
        var info = start.Message(3);
        var hparams = info.Messages(1).ToDictionary(entry => entry.String(1), entry => Value.Parser.ParseFrom(entry.Bytes(2)));
        Assert.Equal(3e-3, hparams["optimizer.lr"].NumberValue);
        Assert.Equal("sgd", hparams["optimizer.name"].StringValue);
        Assert.False(hparams["data.shuffle"].BoolValue);
        Assert.Equal(Value.KindOneofCase.BoolValue, hparams["data.shuffle"].KindCase);
        Assert.Equal("/runs/a/checkpoints", info.String(2));
        Assert.Equal(1700000000, info.Double(5));

        var (endTag, end) = Decode(events[2].Summary.Value.Single());
        Assert.Equal(HParamsSummary.SessionEndTag, endTag);
        var endInfo = end.Message(4);
        Assert.Equal(1ul, endInfo.Varint(1)); // STATUS_SUCCESS
        Assert.Equal(1700000100, endInfo.Double(2));
    }

    [Fact]
    public void RewritingReplacesTheFileWhole()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "events.out.tfevents.0.kindling-hparams");
        EventFileWriter.Write(path, [HParamsSummary.SessionEnd(HParamsSummary.Status.Running, 1)], 1);
        EventFileWriter.Write(path, [HParamsSummary.SessionEnd(HParamsSummary.Status.Failure, 2)], 2);
        var events = Events(path);
        Assert.Equal(2, events.Count);
        Assert.Equal(2ul, Decode(events[1].Summary.Value.Single()).Data.Message(4).Varint(1));
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }
}
