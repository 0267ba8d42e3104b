using Kindling.Runtime;

namespace Kindling.Tests.Docs;

/// <summary>docs/AUTOGRAD.md's example compiles against today's API and runs: its checks throw on failure, so running it is the test.</summary>
public class AutogradDocTests
{
    [Fact]
    public void TheCustomSwishExampleCompilesAndRuns()
    {
        var source = CSharpSnippet.Extract("docs/AUTOGRAD.md", "## Example");
        Assert.Contains("SingleTensorFunction", source);
        TorchRuntime.EnsureLoaded();
        CSharpSnippet.Run(CSharpSnippet.Compile(source, "AutogradDoc"));
    }
}
