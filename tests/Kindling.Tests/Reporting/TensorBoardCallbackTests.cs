using System.Text;
using Kindling.Optim;
using Kindling.Reporting;
using Kindling.Tests.Training;
using Kindling.Training;
using TorchSharp;

namespace Kindling.Tests.Reporting;

[Collection("GlobalGenerator")]
public class TensorBoardCallbackTests(TinyRun run) : IClassFixture<TinyRun>
{
    [Fact]
    public void ReaderChecksCrcsWithTheStandardCrc32C()
    {
        // CRC-32C of "123456789" is 0xE3069283 (RFC 3720).
        Assert.Equal(0xE3069283u, EventFile.Crc32C(Encoding.ASCII.GetBytes("123456789")));
        var data = Encoding.ASCII.GetBytes("123456789");
        var length = BitConverter.GetBytes((ulong)data.Length);
        var record = length.Concat(BitConverter.GetBytes(EventFile.Masked(length))).Concat(data).Concat(BitConverter.GetBytes(EventFile.Masked(data))).ToArray();
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "one.tfevents");
        File.WriteAllBytes(path, record);
        Assert.Equal("123456789", Encoding.ASCII.GetString(Assert.Single(EventFile.Records(path))));
        record[15] ^= 1; // one bit of the data
        File.WriteAllBytes(path, record);
        Assert.Throws<InvalidDataException>(() => EventFile.Records(path));
    }

    [Fact]
    public void EventFileRecordsAreFramedAndHoldEveryTag()
    {
        var files = Directory.GetFiles(run.Folder.TensorBoardDir, "events.out.tfevents.*", SearchOption.AllDirectories);
        var file = Assert.Single(files);
        var records = EventFile.Records(file);
        Assert.Contains(records, r => Encoding.ASCII.GetString(r).Contains("brain.Event:2"));
        foreach (var tag in new[] { "step/loss", "step/lr", "loss/train", "loss/val", "accuracy/train", "accuracy/val", "f1/val",
                     "loss/ema_val", "accuracy/ema_val", "epoch/lr", "weights/fc1.weight", "weights/fc2.bias", "gradients/fc1.weight", "hparams" })
            Assert.True(EventFile.Contains(records, tag), $"tag {tag} not in the event file");
        // 96 samples in batches of 16: 6 steps an epoch, 3 epochs -> one step/loss scalar per step.
        Assert.Equal(18, records.Count(r => ContainsTag(r, "step/loss")));
        Assert.Equal(3, records.Count(r => ContainsTag(r, "loss/train")));
        Assert.Equal(3, records.Count(r => ContainsTag(r, "gradients/fc1.weight")));
        Assert.True(EventFile.Contains(records, "optimizer.lr"), "hparams text holds the hyperparameters");
    }

    [Fact]
    public void EventsHoldTheRunsValuesAtTheirSteps()
    {
        // Decoded with TorchSharp's generated protobuf types: the framing test above is independent of them.
        var values = EventFile.Values(run.Folder.TensorBoardDir);
        float Scalar(string tag, long step) => values.Single(v => v.Tag == tag && v.Step == step).Value.SimpleValue;
        foreach (var m in run.Result.History)
        {
            Assert.Equal((float)m.Get("train_loss")!.Value, Scalar("loss/train", m.Epoch));
            Assert.Equal((float)m.Get("val_accuracy")!.Value, Scalar("accuracy/val", m.Epoch));
            Assert.Equal((float)m.Get("ema_val_accuracy")!.Value, Scalar("accuracy/ema_val", m.Epoch));
        }
        Assert.Equal(Enumerable.Range(1, 18).Select(i => (long)i), values.Where(v => v.Tag == "step/lr").Select(v => v.Step));
        // One-cycle: the rate rises then falls within the run.
        var lr = values.Where(v => v.Tag == "step/lr").Select(v => v.Value.SimpleValue).ToArray();
        Assert.True(lr.Max() > lr[0] && lr.Max() > lr[^1]);
        var weights = values.Single(v => v.Tag == "weights/fc1.weight" && v.Step == 3).Value.Histo;
        Assert.Equal(64 * 16, weights.Num);
        var gradients = values.Single(v => v.Tag == "gradients/fc1.weight" && v.Step == 3).Value.Histo;
        Assert.Equal(64 * 16, gradients.Num);
        Assert.True(gradients.SumSquares > 0, "gradients were recorded before the Trainer freed them");
    }

    [Fact]
    public void MixedPrecisionGradientsComeFromTheMasterWeights()
    {
        // Under mixed precision the model's 16-bit gradients move into the fp32 masters before the step.
        using var dir = new TempDir();
        torch.manual_seed(3);
        using var model = torch.nn.Sequential(("flat", torch.nn.Flatten()), ("fc", torch.nn.Linear(64, 3)));
        var callback = new TensorBoardCallback(dir.Path, model);
        new Trainer(new TrainerOptions { Epochs = 1, Precision = Precision.Bf16Mixed, Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.1 }, Device = "cpu" }, [callback])
            .Fit(model, TinyData.Loader(TinyData.Bands(32), 16));
        var histograms = EventFile.Values(dir.Path).Where(v => v.Value.Histo is not null).ToDictionary(v => v.Tag, v => v.Value.Histo);
        Assert.Equal(64 * 3, histograms["gradients/fc.weight"].Num);
        Assert.True(histograms["gradients/fc.weight"].SumSquares > 0);
        Assert.Equal(3, histograms["weights/fc.bias"].Num);
    }

    static bool ContainsTag(byte[] record, string tag) => record.AsSpan().IndexOf(Encoding.UTF8.GetBytes(tag)) >= 0;
}
