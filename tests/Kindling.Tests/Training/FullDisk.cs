namespace Kindling.Tests.Training;

/// <summary>A write stream that fails as a full disk does once <c>capacity</c> bytes are written (injected through CheckpointFile.OpenTemporary).</summary>
sealed class FullDisk(Stream inner, long capacity) : Stream
{
    long written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => written;
    public override long Position { get => written; set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (written + count > capacity) throw new IOException("No space left on device : (injected)");
        inner.Write(buffer, offset, count);
        written += count;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
