using System.Text.RegularExpressions;
using System.Xml.Linq;
using Kindling.Tests.Data.Datasets;

namespace Kindling.Tests;

/// <summary>
/// The library's floors (docs/ARCHITECTURE.md, "Floors"): a folder of src/Kindling may use its own floor and the
/// floors below it, never one above. Read from the sources, so a new upward import fails here naming the file, the
/// line and the import, instead of surfacing later as a cycle nobody can untangle.
/// </summary>
public sealed partial class ArchitectureTests
{
    /// <summary>Lowest first; folders in one entry share a floor and may use each other.</summary>
    static readonly string[][] Floors =
    [
        ["Runtime"],
        ["Data"],
        ["Models"],
        ["Optim", "Losses", "Metrics", "Autograd"],
        ["Training"],
        ["Generative", "SelfSupervised", "Distributed"],
        ["Reporting"],
        ["Tuning", "Diagnostics"],
        ["Compression", "Export"],
        ["Config"],
    ];

    /// <summary>
    /// Known upward imports, each with why it is tolerated. Entries are (file under src/Kindling, folder it imports).
    /// None today; an entry must say why it cannot be avoided.
    /// </summary>
    static readonly (string File, string Imports, string Why)[] Allowed = [];

    static readonly Dictionary<string, int> FloorOf = Floors
        .SelectMany((names, floor) => names.Select(n => (n, floor)))
        .ToDictionary(p => p.n, p => p.floor);

    [Fact]
    public void No_folder_imports_a_floor_above_its_own()
    {
        var library = Path.Combine(Root(), "src", "Kindling");
        var violations = new List<string>();
        var used = new HashSet<(string, string)>();
        foreach (var path in SourceFiles(library))
        {
            var relative = Path.GetRelativePath(library, path).Replace('\\', '/');
            var folder = relative.Split('/')[0];
            Assert.True(FloorOf.ContainsKey(folder), $"src/Kindling/{relative}: the folder '{folder}' has no floor; add it to ArchitectureTests.Floors (and docs/ARCHITECTURE.md).");
            var lines = File.ReadAllLines(path);
            for (int i = 0; i < lines.Length; i++)
                foreach (var target in References(lines[i]).Distinct())
                {
                    if (!FloorOf.TryGetValue(target, out int floor) || floor <= FloorOf[folder]) continue;
                    if (Allowed.Any(a => a.File == relative && a.Imports == target))
                    {
                        used.Add((relative, target));
                        continue;
                    }
                    violations.Add($"src/Kindling/{relative}:{i + 1}: {folder} (floor {FloorOf[folder]}) uses {target} (floor {floor}), a floor above: {lines[i].Trim()}");
                }
        }
        Assert.True(violations.Count == 0,
            "Features take plain pieces; the code that assembles them belongs on the higher floor (Config is the composition root).\n" + string.Join("\n", violations));
        // A stale allow-list entry would silently permit the next violation in that file.
        var stale = Allowed.Where(a => !used.Contains((a.File, a.Imports))).Select(a => $"{a.File} -> {a.Imports}").ToList();
        Assert.True(stale.Count == 0, "Allow-list entries no longer needed (delete them): " + string.Join(", ", stale));
    }

    [Theory]
    [InlineData("    using Kindling.Config.Runs;", "Config")]
    [InlineData("using static Kindling.Export.Onnx.OnnxAttribute;", "Export")]
    [InlineData("using Alias = Kindling.Tuning.LrFinding.LrFinder;", "Tuning")]
    [InlineData("    var x = global::Kindling.Reporting.RunJson.Document;", "Reporting")]
    [InlineData("    public Compression.Distiller? Distillation { get; init; }", "Compression")]
    public void The_scanner_sees_every_kind_of_reference(string line, string target) =>
        Assert.Contains(target, References(line));

    [Theory]
    [InlineData("    var d = run.Data.Name; // Config.Recipe is read elsewhere")]
    [InlineData("    throw new ArgumentException(\"see Kindling.Config.Recipe\");")]
    [InlineData("/// Built from a recipe by <see cref=\"Config.Tools.RecipeDoctor\"/>.")]
    public void The_scanner_ignores_members_comments_and_strings(string line) =>
        Assert.DoesNotContain(References(line), t => t is "Config" or "Data");

    [Fact]
    public void The_cli_does_not_reference_the_bench_project()
    {
        var root = Root();
        var cli = XDocument.Load(Path.Combine(root, "src", "Kindling.Cli", "Kindling.Cli.csproj"));
        var references = cli.Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include") ?? "").ToList();
        Assert.DoesNotContain(references, r => r.Replace('\\', '/').Contains("Kindling.Bench", StringComparison.OrdinalIgnoreCase));
        foreach (var path in SourceFiles(Path.Combine(root, "src", "Kindling.Cli")))
            Assert.False(BenchNamespace().IsMatch(File.ReadAllText(path)),
                $"{Path.GetRelativePath(root, path)} uses the Kindling.Bench namespace: the benchmarks are their own executable (bench/Kindling.Bench).");
    }

    /// <summary>The top-level Kindling folders a line of C# refers to: usings (static and aliases), fully and partially qualified names.</summary>
    static IEnumerable<string> References(string line)
    {
        // Comments, doc comments included, are not dependencies: a lower floor's docs may say who assembles it
        // (<see cref="Config.Tools.RecipeDoctor"/>), and the build checks that such a cref still resolves.
        var code = StringLiteral().Replace(line, "\"\"");
        int comment = code.IndexOf("//", StringComparison.Ordinal);
        if (comment >= 0) code = code[..comment];
        foreach (var t in Qualified(code)) yield return t;
    }

    static IEnumerable<string> Qualified(string code)
    {
        foreach (Match m in FullyQualified().Matches(code)) yield return m.Groups[1].Value;
        // Inside namespace Kindling.*, "Compression.Distiller" binds to Kindling.Compression; a member access
        // (run.Data.Name) is preceded by a dot and is not a namespace.
        foreach (Match m in PartiallyQualified().Matches(code))
            if (FloorOf.ContainsKey(m.Groups[1].Value)) yield return m.Groups[1].Value;
    }

    static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Replace('\\', '/').Contains("/obj/") && !p.Replace('\\', '/').Contains("/bin/"))
            .Order(StringComparer.Ordinal);

    static string Root() => TestData.RepoRoot() ?? throw new InvalidOperationException("Kindling.slnx not found above the test binaries.");

    [GeneratedRegex(@"(?<![\w.])(?:global::)?Kindling\.(\w+)")]
    private static partial Regex FullyQualified();

    [GeneratedRegex(@"(?<![\w.:])([A-Z]\w*)\.[A-Z]")]
    private static partial Regex PartiallyQualified();

    // The namespace, not a path such as bench/Kindling.Bench in a message.
    [GeneratedRegex(@"(?<![/\w.])Kindling\.Bench\b")]
    private static partial Regex BenchNamespace();

    [GeneratedRegex(@"@?""(?:\\.|[^""\\])*""")]
    private static partial Regex StringLiteral();
}
