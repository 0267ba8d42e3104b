using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Kindling.Runtime;

/// <summary>
/// Why libLibTorchSharp does or does not load, found by loading it ourselves: TorchSharp's own
/// message on failure ("doesn't contain a reference to libtorch-cpu-linux-x64") hides the real cause,
/// which the dynamic loader states exactly (a missing file, or a symbol version the system lacks).
/// </summary>
public sealed record NativeLoadDiagnosis(bool Loaded, string LibraryPath, string? LoaderError, string? MissingVersion, string Fix)
{
    static readonly string LibraryFile =
        OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";

    /// <summary>Loads libLibTorchSharp from where TorchSharp will find it and reports the outcome.</summary>
    public static NativeLoadDiagnosis Run()
    {
        var dir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location) ?? AppContext.BaseDirectory;
        var candidates = Candidates(dir).ToList();
        var path = candidates.FirstOrDefault(File.Exists);
        if (path is null)
            return new(false, candidates[0], $"{LibraryFile} is not in {dir} nor in its runtimes/{PortableRid}/native/", null,
                "Reference TorchSharp-cpu (Kindling.Core does; or build Kindling with -p:KindlingTorch=cuda) and build for this platform " +
                $"({PortableRid}), so NuGet's native files are copied. Then run `dotnet build` again.");
        try
        {
            NativeLibrary.Load(path);
            return new(true, path, null, null, "");
        }
        catch (DllNotFoundException e)
        {
            return FromLoaderError(path, e.Message);
        }
        catch (BadImageFormatException e)
        {
            return new(false, path, e.Message, null, $"{path} is not a native library for this platform ({RuntimeInformation.RuntimeIdentifier}); restore for the right runtime identifier.");
        }
    }

    /// <summary>
    /// Where the library is, first match wins: next to TorchSharp.dll (a build with a runtime identifier, as Kindling's own
    /// projects and the kindling tool), else runtimes/RID/native/ (a project built without one, such as a plain
    /// `dotnet new console` referencing the Kindling.Core package; the host finds it there through the deps.json).
    /// </summary>
    static IEnumerable<string> Candidates(string dir)
    {
        yield return Path.Combine(dir, LibraryFile);
        foreach (var rid in new[] { RuntimeInformation.RuntimeIdentifier, PortableRid }.Distinct())
            yield return Path.Combine(dir, "runtimes", rid, "native", LibraryFile);
    }

    /// <summary>The portable runtime identifier NuGet packages use for this OS and architecture (linux-x64, osx-arm64, ...).</summary>
    static string PortableRid =>
        (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" +
        RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    /// <summary>Turns the dynamic loader's message into a diagnosis with the fix.</summary>
    public static NativeLoadDiagnosis FromLoaderError(string path, string loaderError)
    {
        // .NET wraps dlerror's text in advice about strace and LD_DEBUG; keep the loader's own line.
        var lines = loaderError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        loaderError = lines.LastOrDefault(l => l.Contains(".so", StringComparison.Ordinal) && !l.StartsWith("Unable to load", StringComparison.Ordinal))
                      ?? loaderError;
        // glibc: "...: version `GLIBCXX_3.4.32' not found (required by /path/libLibTorchSharp.so)"
        var version = Regex.Match(loaderError, @"version [`']([A-Za-z_]+[0-9.]+)' not found");
        if (version.Success)
        {
            var v = version.Groups[1].Value;
            return new(false, path, loaderError.Trim(), v,
                $"The system's C++ runtime is older than the one libtorch was built with: it lacks {v}. Kindling's build " +
                $"marks that need weak when nothing binds it (build/LibTorchNatives.targets); this output was not patched. " +
                $"Rebuild with `dotnet build` (or ./kindling), or install a libstdc++ that provides {v} (GCC 13 or newer).");
        }
        var missingFile = Regex.Match(loaderError, @"([\w.+-]+\.so[\w.]*): cannot open shared object file");
        if (missingFile.Success)
            return new(false, path, loaderError.Trim(), null,
                $"{missingFile.Groups[1].Value} is missing next to {Path.GetFileName(path)}: restore and build again (`dotnet build`); " +
                "if it is a system library, install the package that provides it.");
        return new(false, path, loaderError.Trim(), null, "Run `dotnet build` again; if it persists, the message above is the dynamic loader's own.");
    }

    public override string ToString() => Loaded
        ? $"{LibraryPath} loaded"
        : $"libtorch did not load.\n  library: {LibraryPath}\n  cause:   {LoaderError}" +
          (MissingVersion is null ? "" : $"\n  missing symbol version: {MissingVersion}") + $"\n  fix:     {Fix}";
}
