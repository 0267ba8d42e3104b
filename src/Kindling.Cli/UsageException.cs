namespace Kindling.Cli;

/// <summary>A command line that cannot work (an --out that cannot be written, a run folder that would be overwritten): exit 2, no stack trace.</summary>
sealed class UsageException(string message) : Exception(message);
