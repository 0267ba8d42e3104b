using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Cli;

/// <summary>The conv-BN fusion `kindling bench eval --fused` applies (Kindling.Compression's, wired when that lands).</summary>
static class BenchFusion
{
    public static nn.Module<Tensor, Tensor> Fuse(nn.Module<Tensor, Tensor> model) =>
        throw new NotSupportedException("--fused needs Kindling.Compression's conv-BN fusion, which this build does not have yet.");
}
