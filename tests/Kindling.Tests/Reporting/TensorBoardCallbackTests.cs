using System.Text;

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

    static bool ContainsTag(byte[] record, string tag) => record.AsSpan().IndexOf(Encoding.UTF8.GetBytes(tag)) >= 0;
}
