namespace Kindling.Cli;

/// <summary>Checks an output file's path before any work starts, so a long computation is not lost to a path that cannot be written.</summary>
static class OutputFile
{
    /// <summary>Refuses a path that is a folder, lacks the extension, or lies where a file cannot be written (the folder is created if missing).</summary>
    /// <param name="path">The file (e.g. --grid).</param>
    /// <param name="option">The option that named it, for the message.</param>
    /// <param name="extension">The extension expected, with its dot (".png").</param>
    /// <exception cref="UsageException">What is wrong with the path.</exception>
    public static void Check(string path, string option, string extension)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new UsageException($"error: {option} {path} is a folder; give a file name ending in {extension}.");
        if (!full.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"error: {option} {path}: the file is written as {extension[1..].ToUpperInvariant()}; give a name ending in {extension}.");
        try
        {
            OutputFolder.ProbeWrite(Path.GetDirectoryName(full)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"error: cannot write {option} {path}: {e.Message} Choose a place you can write to.");
        }
    }
}
