using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kindling.Tests.Data.Datasets;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for download tests: serves byte arrays by path,
/// honours <c>Range: bytes=N-</c>, and can drop the connection partway through a file. It stops on dispose
/// and after a bounded number of connections.
/// </summary>
sealed class LoopbackHttpServer : IDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly Dictionary<string, byte[]> files = [];
    readonly ConcurrentDictionary<string, int> dropAfter = new();
    readonly CancellationTokenSource stop = new();
    readonly Task loop;

    public LoopbackHttpServer(int maxConnections = 50)
    {
        listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/files/");
        loop = Task.Run(() => Serve(maxConnections));
    }

    public Uri BaseUrl { get; }

    /// <summary>Each request: path and Range header (empty when none).</summary>
    public ConcurrentQueue<(string Path, string Range)> Requests { get; } = new();

    public void Add(string name, byte[] content, int? dropAfterBytesOnce = null)
    {
        files["/files/" + name] = content;
        if (dropAfterBytesOnce is int n) dropAfter["/files/" + name] = n;
    }

    async Task Serve(int maxConnections)
    {
        for (int i = 0; i < maxConnections && !stop.IsCancellationRequested; i++)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            using (client)
            {
                try { await Handle(client.GetStream()); }
                catch (IOException) { }
            }
        }
        listener.Stop();
    }

    async Task Handle(NetworkStream stream)
    {
        var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        var requestLine = await reader.ReadLineAsync() ?? "";
        string range = "";
        for (string? line; !string.IsNullOrEmpty(line = await reader.ReadLineAsync());)
            if (line.StartsWith("Range:", StringComparison.OrdinalIgnoreCase)) range = line[6..].Trim();
        var path = requestLine.Split(' ') is { Length: >= 2 } parts ? parts[1] : "";
        Requests.Enqueue((path, range));
        if (!files.TryGetValue(path, out var content))
        {
            await Write(stream, "404 Not Found", ReadOnlyMemory<byte>.Empty, "");
            return;
        }
        long from = range.StartsWith("bytes=", StringComparison.Ordinal) ? long.Parse(range[6..].TrimEnd('-')) : 0;
        if (from >= content.Length && from > 0)
        {
            await Write(stream, "416 Range Not Satisfiable", ReadOnlyMemory<byte>.Empty, $"Content-Range: bytes */{content.Length}\r\n");
            return;
        }
        var body = content.AsMemory((int)from);
        string status = from > 0 ? "206 Partial Content" : "200 OK";
        string extra = from > 0 ? $"Content-Range: bytes {from}-{content.Length - 1}/{content.Length}\r\n" : "";
        if (dropAfter.TryRemove(path, out int drop))
        {
            // Promise the whole file, send part of it, hang up.
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\n{extra}Connection: close\r\n\r\n"));
            await stream.WriteAsync(body[..drop]);
            await stream.FlushAsync();
            return;
        }
        await Write(stream, status, body, extra);
    }

    static async Task Write(NetworkStream stream, string status, ReadOnlyMemory<byte> body, string extra)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\nAccept-Ranges: bytes\r\n{extra}Connection: close\r\n\r\n"));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try { loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        stop.Dispose();
    }
}
