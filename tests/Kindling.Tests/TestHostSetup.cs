using System.Runtime.CompilerServices;

namespace Kindling.Tests;

/// <summary>What the test host does before any test: the same oneDNN decision the command makes at its start.</summary>
static class TestHostSetup
{
    // A test may run a convolution through TorchSharp before anything calls TorchRuntime.EnsureLoaded; oneDNN reads its cap once.
#pragma warning disable CA2255 // the test assembly is the host's entry point here, not a library others load
    [ModuleInitializer]
    internal static void CapOneDnn() => Kindling.Runtime.OneDnnIsaCap.Apply();
#pragma warning restore CA2255
}
