namespace Kindling.Tests.Docs;

/// <summary>README's C# examples compile against today's API; "Write your own task" also trains (the other runs 10 full epochs: compiled only).</summary>
[Collection("GlobalGenerator")]
public class ReadmeTaskTests
{
    [Fact]
    public void TheWriteYourOwnTaskExampleCompilesAndTrains()
    {
        var source = CSharpSnippet.Extract("README.md", "## Write your own task");
        Assert.Contains(": TrainingTask", source);
        CSharpSnippet.Run(CSharpSnippet.Compile(source, "ReadmeTask"));
    }

    [Fact]
    public void TheTrainFromCSharpExampleCompiles()
    {
        var source = CSharpSnippet.Extract("README.md", "## Train from C# in a few lines");
        Assert.NotNull(CSharpSnippet.Compile(source, "ReadmeTrain").EntryPoint);
    }
}
