using System.Collections.Concurrent;
using Kindling.Data.Datasets;

namespace Kindling.Tests.Data.Loading;

/// <summary>Wraps a data set, counting reads and recording the threads that read; optionally slow or failing at one index.</summary>
internal sealed class RecordingDataset(IImageDataset inner, int failAt = -1, int delayMs = 0) : IImageDataset
{
    int reads;
    public readonly ConcurrentDictionary<Thread, byte> Threads = new();

    public int Reads => Volatile.Read(ref reads);
    public string Name => inner.Name;
    public int Count => inner.Count;
    public IReadOnlyList<string> Classes => inner.Classes;
    public ImageShape Shape => inner.Shape;
    public int GetLabel(int index) => inner.GetLabel(index);

    public int CopyImage(int index, Span<byte> destination, PixelLayout layout = PixelLayout.Hwc)
    {
        Interlocked.Increment(ref reads);
        Threads.TryAdd(Thread.CurrentThread, 0);
        if (delayMs > 0) Thread.Sleep(delayMs);
        if (index == failAt) throw new InvalidOperationException("corrupt record");
        return inner.CopyImage(index, destination, layout);
    }
}
