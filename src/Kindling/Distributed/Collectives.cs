using System.Text;
using static TorchSharp.torch;

namespace Kindling.Distributed;

/// <summary>Small collectives built on <see cref="ICommunicator"/>'s: strings and agreement checks, for setting a job up.</summary>
public static class Collectives
{
    /// <summary>Rank 0's <paramref name="text"/> on every rank (e.g. the run folder rank 0 chose).</summary>
    public static string BroadcastString(this ICommunicator communicator, string text)
    {
        if (communicator.Size == 1) return text;
        var bytes = Encoding.UTF8.GetBytes(text);
        using var length = tensor(new long[] { bytes.Length });
        communicator.Broadcast(length);
        var buffer = new byte[length.item<long>()];
        if (buffer.Length == 0) return "";
        if (communicator.Rank == 0) bytes.CopyTo(buffer, 0);
        using var data = tensor(buffer);
        communicator.Broadcast(data);
        return Encoding.UTF8.GetString(data.bytes);
    }

    /// <summary>Every rank's <paramref name="value"/>, by rank.</summary>
    public static long[] AllGatherValues(this ICommunicator communicator, long value)
    {
        using var local = tensor(new long[] { value });
        using var all = communicator.AllGather(local);
        return all.data<long>().ToArray();
    }

    /// <summary>
    /// Checks that every rank holds the same <paramref name="text"/> (the resolved recipe): ranks that disagree would train
    /// different models and exchange gradients of different shapes.
    /// </summary>
    /// <exception cref="DistributedException">Names the ranks whose text differs from rank 0's.</exception>
    public static void RequireSame(this ICommunicator communicator, string text, string what)
    {
        if (communicator.Size == 1) return;
        var hashes = communicator.AllGatherValues(Fingerprint(text));
        var differ = Enumerable.Range(1, hashes.Length - 1).Where(r => hashes[r] != hashes[0]).ToList();
        if (differ.Count > 0)
            throw new DistributedException($"the ranks disagree on {what}: rank{(differ.Count > 1 ? "s" : "")} {string.Join(", ", differ)} " +
                $"differ{(differ.Count > 1 ? "" : "s")} from rank 0. Every rank must run the same command with the same files (on several machines: the same " +
                "recipe and data at the same paths, and the same Kindling build).");
    }

    // FNV-1a: stable across processes (string.GetHashCode is randomised per process).
    static long Fingerprint(string text)
    {
        ulong h = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return unchecked((long)h);
    }
}
