using Kindling.Runtime;
using TorchSharp;

namespace Kindling.Tests.Runtime;

public class TorchRuntimeTests
{
    [Fact]
    public void TensorOpRunsOnLoadedLibtorch()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        var b = torch.ones(3, 2);
        var c = a.matmul(b);
        Assert.Equal(new float[] { 3, 3, 12, 12 }, c.data<float>().ToArray());
    }

    [Fact]
    public void ReportNamesVersionsThreadsAndDevice()
    {
        var r = TorchRuntime.Report();
        Assert.StartsWith("2.10", r.LibTorchVersion);
        Assert.Equal("0.107.0", r.TorchSharpVersion);
        Assert.True(r.IntraOpThreads >= 1);
        Assert.Equal(r.CudaAvailable ? "cuda" : "cpu", r.DefaultDevice.Split(':')[0]);
    }

    [Fact]
    public void MissingSymbolVersionIsNamedWithItsFix()
    {
        var d = NativeLoadDiagnosis.FromLoaderError("/x/libLibTorchSharp.so",
            "/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /x/libLibTorchSharp.so)");
        Assert.False(d.Loaded);
        Assert.Equal("GLIBCXX_3.4.32", d.MissingVersion);
        Assert.Contains("GLIBCXX_3.4.32", d.Fix);
        Assert.DoesNotContain("doesn't contain a reference", d.ToString());
    }

    [Fact]
    public void MissingDependencyFileIsNamed()
    {
        var d = NativeLoadDiagnosis.FromLoaderError("/x/libLibTorchSharp.so", "libtorch_cpu.so: cannot open shared object file: No such file or directory");
        Assert.Null(d.MissingVersion);
        Assert.Contains("libtorch_cpu.so", d.Fix);
    }
}
