using System.Runtime.InteropServices;

namespace Kindling.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as a cancellation while it is held: the first one cancels <see cref="Token"/>
/// (training finishes its step and writes its last checkpoint) and says so; a second ends the process at once.
/// SIGTERM is what schedulers (Slurm, Kubernetes, docker stop) send before they kill, so it is handled as Ctrl-C.
/// </summary>
sealed class Interruption : IDisposable
{
    readonly CancellationTokenSource source = new();
    readonly ConsoleCancelEventHandler handler;
    readonly PosixSignalRegistration? terminate;
    readonly TextWriter log;
    readonly string what;

    /// <param name="log">Where to say what the first Ctrl-C does.</param>
    /// <param name="what">What the first Ctrl-C does, e.g. "finishing the current step and writing the last checkpoint".</param>
    public Interruption(TextWriter log, string what)
    {
        this.log = log;
        this.what = what;
        handler = (_, e) =>
        {
            if (source.IsCancellationRequested) return;
            e.Cancel = true;
            Cancel("interrupt");
        };
        Console.CancelKeyPress += handler;
        try
        {
            terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                if (source.IsCancellationRequested) return;
                context.Cancel = true;
                Cancel("SIGTERM");
            });
        }
        catch (PlatformNotSupportedException)
        {
            // No SIGTERM where there are no POSIX signals; Ctrl-C still works.
        }
    }

    public CancellationToken Token => source.Token;

    void Cancel(string cause)
    {
        source.Cancel();
        log.WriteLine($"{cause}: {what} (Ctrl-C or SIGTERM again to quit now)...");
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= handler;
        terminate?.Dispose();
        source.Dispose();
    }
}
