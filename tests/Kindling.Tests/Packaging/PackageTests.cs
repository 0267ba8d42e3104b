using System.Diagnostics;
using System.Text.Json;
using Kindling.Tests.Docs;

namespace Kindling.Tests.Packaging;

/// <summary>
/// What a user outside this repository gets: the Kindling.Core package in a fresh `dotnet new console` project trains and
/// evaluates (on Debian 12 that needs the package's buildTransitive fix of libLibTorchSharp.so), and the kindling tool,
/// installed from the package, loads libtorch. Both packages come from this build (`dotnet pack --no-build`) with a
/// prerelease version of their own, into a temporary feed; the consumer restores into a temporary packages folder that
/// falls back to the shared NuGet cache, so TorchSharp's natives are not downloaded again and nothing is left behind.
/// Filter: `dotnet test --filter Category=Package` (or `Category!=Package` to leave it out).
/// </summary>
[Trait("Category", "Package")]
public sealed class PackageTests(PackageTests.Feed feed) : IClassFixture<PackageTests.Feed>
{
    [Fact]
    public void AFreshConsoleProjectReferencingKindlingCoreTrainsAndEvaluates()
    {
        var project = Path.Combine(feed.Root, "consumer");
        Directory.CreateDirectory(project);
        Dotnet(project, "new", "console", "--name", "Consumer", "--output", ".", "--no-restore");
        // The README's program, as a user copies it: README and package cannot drift apart.
        File.WriteAllText(Path.Combine(project, "Program.cs"), CSharpSnippet.Extract("README.md", "## Use it in your project"));
        Dotnet(project, "add", "package", "Kindling.Core", "--version", feed.Version);
        Dotnet(project, "build", "-nodeReuse:false", "-v", "q", "-clp:ErrorsOnly");

        // No runtime identifier here, so natives are under runtimes/linux-x64/native: trimmed and patched by the package's targets.
        var natives = Path.Combine(project, "bin", "Debug", "net10.0", "runtimes", "linux-x64", "native");
        Assert.True(File.Exists(Path.Combine(natives, "libtorch_cpu.so")), $"libtorch_cpu.so is not in {natives}");
        Assert.False(File.Exists(Path.Combine(natives, "libtorch_python.so")), "the package's targets should leave out libtorch_python.so");

        var output = Dotnet(project, "run", "--no-build");
        var line = output.Split('\n').Single(l => l.StartsWith("epochs ", StringComparison.Ordinal));
        Assert.StartsWith("epochs 2; validation accuracy ", line);
        var accuracy = double.Parse(line.Split(' ')[4], System.Globalization.CultureInfo.InvariantCulture);
        // Left-bright against right-bright is separable at a glance: two epochs of a one-layer CNN get it right.
        Assert.True(accuracy >= 0.9, $"validation accuracy {accuracy} after two epochs (expected at least 0.9):\n{output}");
    }

    [Fact]
    public void TheKindlingToolInstallsAndLoadsLibtorch()
    {
        var tools = Path.Combine(feed.Root, "tools");
        Dotnet(feed.Root, "tool", "install", "kindling", "--tool-path", tools, "--add-source", feed.Folder, "--version", feed.Version);
        var kindling = Path.Combine(tools, "kindling");

        var table = Run(feed.Root, kindling, "info");
        Assert.Contains("loaded from", table);

        using var json = JsonDocument.Parse(Run(feed.Root, kindling, "info", "--json"));
        Assert.True(json.RootElement.GetProperty("loaded").GetBoolean());
        var library = json.RootElement.GetProperty("library").GetString()!;
        Assert.StartsWith(tools, library); // the tool's own libtorch, not one of this build's
    }

    /// <summary>Both packages of this build in a temporary feed, with a nuget.config for the projects made under it.</summary>
    public sealed class Feed : IDisposable
    {
        public Feed()
        {
            Directory.CreateDirectory(Folder);
            var repo = CSharpSnippet.Root();
            // Pack what this test run built (same configuration, no second compile); the version is Directory.Build.props'
            // VersionPrefix with a prerelease suffix of this run alone, so no cache anywhere can hand back an older build.
            var configuration = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var suffix = $"ci.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
            foreach (var csproj in new[] { "src/Kindling/Kindling.csproj", "src/Kindling.Cli/Kindling.Cli.csproj" })
                Dotnet(repo, "pack", Path.Combine(repo, csproj), "--no-build", "-c", configuration, "-o", Folder,
                    $"-p:VersionSuffix={suffix}", "-nodeReuse:false", "-v", "q", "-clp:ErrorsOnly");
            var library = Directory.GetFiles(Folder, $"Kindling.Core.*-{suffix}.nupkg").SingleOrDefault()
                          ?? throw new FileNotFoundException($"dotnet pack made no Kindling.Core package in {Folder}");
            Version = Path.GetFileNameWithoutExtension(library)["Kindling.Core.".Length..];
            Assert.True(File.Exists(Path.Combine(Folder, $"kindling.{Version}.nupkg")), $"dotnet pack made no kindling.{Version}.nupkg in {Folder}");

            // Restores land in a packages folder of our own (deleted with Root); everything else is read from the shared
            // cache, where scripts/setup.sh's restore of Kindling.slnx put TorchSharp and libtorch.
            var shared = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set ? set
                : Dotnet(repo, "nuget", "locals", "global-packages", "--list").Split(": ", 2)[1].Trim();
            File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <config>
                    <add key="globalPackagesFolder" value="{Path.Combine(Root, "packages")}" />
                  </config>
                  <fallbackPackageFolders>
                    <clear />
                    <add key="shared" value="{shared}" />
                  </fallbackPackageFolders>
                  <packageSources>
                    <clear />
                    <add key="kindling" value="{Folder}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                  </packageSources>
                </configuration>
                """);
        }

        /// <summary>A folder of its own: the feed, the consumer project, the tool and the packages they restore.</summary>
        public string Root { get; } = Path.Combine(Path.GetTempPath(), "kindling-package-test-" + Guid.NewGuid().ToString("N")[..8]);

        public string Folder => Path.Combine(Root, "feed");

        /// <summary>The packages' version, e.g. 0.1.0-ci.20261205131500.4242.</summary>
        public string Version { get; }

        public void Dispose()
        {
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Runs the dotnet CLI; fails with its output when it fails.</summary>
    static string Dotnet(string directory, params string[] args) => Run(directory, "dotnet", args);

    static string Run(string directory, string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The test host runs under `dotnet test`, whose MSBuild variables would point a child build at this one's SDK state;
        // NUGET_PACKAGES would override the nuget.config's packages folder.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "NUGET_PACKAGES").ToList())
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"`{program} {string.Join(' ', args)}` in {directory} failed ({p.ExitCode}):\n{stdout}\n{stderr.Result}");
        return stdout;
    }
}
