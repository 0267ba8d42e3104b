using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Kindling.Tests.Docs;

/// <summary>
/// A fenced C# block of the project's Markdown, compiled with Roslyn against the assemblies the tests load (Kindling,
/// TorchSharp, the BCL) and run in this process: the docs cannot drift from the API without a red test.
/// </summary>
static class CSharpSnippet
{
    /// <summary>The checkout's root (where Kindling.slnx is).</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kindling.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("Kindling.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The first ```csharp block after the heading <paramref name="heading"/> of <paramref name="markdownFile"/> (relative to the root).</summary>
    public static string Extract(string markdownFile, string heading)
    {
        var text = File.ReadAllText(Path.Combine(Root(), markdownFile));
        int at = text.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        if (at < 0) throw new InvalidDataException($"{markdownFile} has no heading '{heading}'.");
        var match = new Regex("```csharp\n(.*?)\n```", RegexOptions.Singleline).Match(text, at);
        if (!match.Success) throw new InvalidDataException($"{markdownFile}: no ```csharp block after '{heading}'.");
        return match.Groups[1].Value;
    }

    /// <summary>The marker a ```csharp block starts with when it is a fragment, not a program: <c>// doctest: skip: REASON</c>.</summary>
    public const string SkipMarker = "// doctest: skip:";

    /// <summary>
    /// Every ```csharp block of <paramref name="markdownFile"/> (relative to the root), with the line its code starts on
    /// (1-based) and, for a block whose first line is <see cref="SkipMarker"/>, the reason it is not compiled.
    /// </summary>
    public static IReadOnlyList<(int Line, string Source, string? SkipReason)> Blocks(string markdownFile)
    {
        var text = File.ReadAllText(Path.Combine(Root(), markdownFile)).Replace("\r\n", "\n");
        var blocks = new List<(int, string, string?)>();
        foreach (Match m in new Regex("^```csharp\n(.*?)\n```", RegexOptions.Singleline | RegexOptions.Multiline).Matches(text))
        {
            var source = m.Groups[1].Value;
            int line = text.Take(m.Groups[1].Index).Count(c => c == '\n') + 1;
            var first = source.Split('\n', 2)[0].Trim();
            blocks.Add((line, source, first.StartsWith(SkipMarker, StringComparison.Ordinal) ? first[SkipMarker.Length..].Trim() : null));
        }
        return blocks;
    }

    /// <summary>Compiles <paramref name="source"/> as a program (top-level statements allowed) and returns its assembly; compile errors fail with their lines.</summary>
    public static Assembly Compile(string source, string name)
    {
        var image = Emit(source, name);
        return AssemblyLoadContext.Default.LoadFromStream(new MemoryStream(image));
    }

    /// <summary>Compiles <paramref name="source"/> as a program without loading it: the image's bytes; compile errors fail with their lines.</summary>
    public static byte[] Emit(string source, string name)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var tree = CSharpSyntaxTree.ParseText(source, parse, path: name + ".cs");
        // What `dotnet new console` compiles with (ImplicitUsings), so a snippet is exactly what a user's project accepts.
        var implicitUsings = CSharpSyntaxTree.ParseText(ImplicitUsings, parse, path: "GlobalUsings.g.cs");
        // Everything the test host has loaded: Kindling and its dependencies, TorchSharp, the BCL facades.
        foreach (var type in new[] { typeof(Kindling.Training.Trainer), typeof(TorchSharp.torch), typeof(object), typeof(Console), typeof(Enumerable) })
            _ = type.Assembly;
        var references = AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Length > 0)
            .Select(a => MetadataReference.CreateFromFile(a.Location)).ToList();
        var compilation = CSharpCompilation.Create(name, [tree, implicitUsings], references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        if (!emitted.Success) throw new InvalidOperationException($"{name} does not compile:\n{string.Join("\n", errors)}");
        return stream.ToArray();
    }

    const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>Runs a compiled program's entry point (no arguments).</summary>
    public static void Run(Assembly program)
    {
        var main = program.EntryPoint ?? throw new InvalidOperationException("the snippet has no entry point.");
        try
        {
            main.Invoke(null, main.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}
