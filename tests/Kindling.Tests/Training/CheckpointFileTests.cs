using Kindling.Training;

namespace Kindling.Tests.Training;

/// <summary>Checkpoints on disk: a checksum that catches damage, old files without one, and a failed write that keeps the previous file.</summary>
public class CheckpointFileTests
{
    static Dictionary<string, byte[]> Sections(byte fill) => new()
    {
        ["model"] = Enumerable.Repeat(fill, 4096).ToArray(),
        ["meta"] = "{\"kind\":\"last\"}"u8.ToArray(),
    };

    [Fact]
    public void FlippedBytesAreRefusedAsCorruptNamingTheFile()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "last.ckpt");
        CheckpointFile.Write(path, Sections(7));
        Assert.Equal(Sections(7)["model"], CheckpointFile.Read(path)["model"]);

        var bytes = File.ReadAllBytes(path);
        for (int i = 0; i < 8; i++) bytes[200 + i * 300] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => CheckpointFile.Read(path));
        Assert.StartsWith($"{path} is corrupt: its SHA-256 checksum does not match", e.Message);
    }

    [Fact]
    public void CheckpointWithoutAChecksumStillLoads()
    {
        // Written by version 1 (before checksums): the pre-task resume fixture.
        var sections = CheckpointFile.Read(Path.Combine(AppContext.BaseDirectory, "Oracle", "pre-task", "last.ckpt"));
        Assert.Contains("model", sections.Keys);
        Assert.Contains("meta", sections.Keys);
    }

    [Fact]
    public void FailedWriteKeepsThePreviousFileAndLeavesNoTemporary()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "last.ckpt");
        CheckpointFile.Write(path, Sections(1));
        CheckpointFile.OpenTemporary.Value = temp => new FullDisk(new FileStream(temp, FileMode.CreateNew, FileAccess.Write), capacity: 1000);
        try
        {
            var e = Assert.Throws<IOException>(() => CheckpointFile.Write(path, Sections(2)));
            Assert.Contains("No space left on device", e.Message);
        }
        finally
        {
            CheckpointFile.OpenTemporary.Value = null;
        }
        Assert.Equal(Sections(1)["model"], CheckpointFile.Read(path)["model"]);
        Assert.Equal(["last.ckpt"], Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }
}
