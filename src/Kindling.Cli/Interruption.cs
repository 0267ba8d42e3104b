namespace Kindling.Cli;

/// <summary>
/// Ctrl-C as a cancellation while it is held: the first press cancels <see cref="Token"/> (training
/// finishes its step and writes its last checkpoint) and says so; a second press ends the process at once.
/// </summary>
sealed class Interruption : IDisposable
{
    readonly CancellationTokenSource source = new();
    readonly ConsoleCancelEventHandler handler;

    /// <param name="log">Where to say what the first Ctrl-C does.</param>
    /// <param name="what">What the first Ctrl-C does, e.g. "finishing the current step and writing the last checkpoint".</param>
    public Interruption(TextWriter log, string what)
    {
        handler = (_, e) =>
        {
            if (source.IsCancellationRequested) return;
            e.Cancel = true;
            source.Cancel();
            log.WriteLine($"interrupt: {what} (Ctrl-C again to quit now)...");
        };
        Console.CancelKeyPress += handler;
    }

    public CancellationToken Token => source.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= handler;
        source.Dispose();
    }
}
