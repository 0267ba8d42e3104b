namespace Kindling.Tests.Docs;

/// <summary>
/// Every ```csharp block of README.md and docs/*.md compiles against today's API as a whole program (top-level
/// statements, the usings of <c>dotnet new console</c>): a renamed type or member turns a page red. Compiled, not run
/// (the README's programs train for minutes; ReadmeTaskTests, AutogradDocTests and the package test run the ones that
/// are quick). The rule for fragments that are not programs: the block's first line is
/// <c>// doctest: skip: REASON</c>, the reason saying what the fragment needs from around it.
/// </summary>
public class DocSnippetTests
{
    /// <summary>The Markdown files whose C# blocks are checked: the README and every page under docs/.</summary>
    public static IEnumerable<string> MarkdownFiles() =>
        new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(CSharpSnippet.Root(), "docs"), "*.md")
            .Select(f => "docs/" + Path.GetFileName(f)).Order(StringComparer.Ordinal));

    /// <summary>One row per ```csharp block: the file and the line its code starts on.</summary>
    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in MarkdownFiles())
            foreach (var block in CSharpSnippet.Blocks(file))
                data.Add(file, block.Line);
        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void EveryCSharpBlockCompilesAsAProgram(string file, int line)
    {
        var block = CSharpSnippet.Blocks(file).Single(b => b.Line == line);
        if (block.SkipReason is not null)
        {
            Assert.False(string.IsNullOrWhiteSpace(block.SkipReason), $"{file}:{line}: '{CSharpSnippet.SkipMarker}' needs a reason.");
            return;
        }
        var name = "Doc_" + new string(file.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray()) + "_L" + line;
        Assert.NotEmpty(CSharpSnippet.Emit(block.Source, name));
    }

    [Fact]
    public void TheDocsHaveProgramsToCompileAndSkipOnlyWithAReason()
    {
        var blocks = MarkdownFiles().SelectMany(f => CSharpSnippet.Blocks(f).Select(b => (File: f, b.Line, b.SkipReason))).ToList();
        // The README's three programs and docs/AUTOGRAD.md's example are compiled, not skipped.
        Assert.True(blocks.Count(b => b.File == "README.md" && b.SkipReason is null) >= 3, "README.md should have its three C# programs.");
        Assert.Contains(blocks, b => b.File == "docs/AUTOGRAD.md" && b.SkipReason is null);
        Assert.All(blocks.Where(b => b.SkipReason is not null), b => Assert.False(string.IsNullOrWhiteSpace(b.SkipReason), $"{b.File}:{b.Line}"));
    }
}
