namespace Kindling.Cli;

/// <summary>
/// Checks a command's output folder before any work starts, so an hour of training is never lost to an
/// --out that names a file, a folder that cannot be written, or a finished run that would be overwritten.
/// </summary>
static class OutputFolder
{
    // What only Kindling writes at the top of a run or sweep folder: --overwrite clears a folder only when it has
    // one of these, so a mistyped `--out ~ --overwrite` cannot empty a home directory.
    static readonly string[] RunMarkers = ["config.yaml", "metrics.jsonl", "summary.json", "checkpoints", "sweep.json", "base.yaml"];

    /// <summary>
    /// Makes <paramref name="path"/> an empty, writable folder: refuses a file, a non-empty folder (unless
    /// <paramref name="overwrite"/>, which clears a run folder first) and a place that cannot be written.
    /// </summary>
    /// <param name="path">The folder (--out).</param>
    /// <param name="overwrite">--overwrite: clear a previous run's folder.</param>
    /// <param name="verb">The command, named in the advice (train, distill, sweep).</param>
    /// <exception cref="UsageException">What is wrong and the options.</exception>
    public static void Prepare(string path, bool overwrite, string verb)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
            throw new UsageException($"error: --out {path} is a file, not a folder; give a folder for the run (it is created if missing).");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            if (!overwrite)
                throw new UsageException($"error: the run folder {path} is not empty, and `kindling {verb}` would replace what is in it. " +
                                         $"Continue that run with `kindling {verb} --resume {path}`, start over with --overwrite (clears the folder first), or choose another --out.");
            Clear(full, path);
        }
        try
        {
            ProbeWrite(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"error: cannot write to --out {path}: {e.Message} Choose a folder you can write to.");
        }
    }

    /// <summary>
    /// Writes and deletes one file in <paramref name="folder"/>, creating it for the test and removing it again if it was
    /// missing (the command creates it when it starts writing, so a refusal before then leaves nothing behind).
    /// </summary>
    /// <exception cref="IOException">The folder cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written.</exception>
    public static void ProbeWrite(string folder)
    {
        bool existed = Directory.Exists(folder);
        Directory.CreateDirectory(folder);
        // Creating a folder can succeed where writing a file does not (a read-only mount, /sys, a full disk): try one.
        var probe = Path.Combine(folder, $".kindling-write-test-{Environment.ProcessId}");
        File.WriteAllBytes(probe, [0]);
        File.Delete(probe);
        if (!existed) Directory.Delete(folder);
    }

    static void Clear(string full, string path)
    {
        var names = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).ToHashSet();
        if (!RunMarkers.Any(names.Contains))
            throw new UsageException($"error: --overwrite clears only a Kindling run folder, and {path} has none of {string.Join(", ", RunMarkers)}; " +
                                     "empty it yourself or choose another --out.");
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(full)) Directory.Delete(dir, recursive: true);
            foreach (var file in Directory.EnumerateFiles(full)) File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"error: --overwrite could not clear {path}: {e.Message}");
        }
    }
}
