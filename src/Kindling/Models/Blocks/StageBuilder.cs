using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// Builds the stages of a residual network one after another: tracks the running channel count and
/// hands each block its stochastic-depth rate from one schedule over the whole network (so the rate
/// keeps rising across stages, not restarting in each).
/// </summary>
sealed class StageBuilder(long inChannels, double[] dropPathRates)
{
    int next;

    /// <summary>Channels entering the next stage (the last stage's output once all are built).</summary>
    public long Channels { get; private set; } = inChannels;

    /// <summary>
    /// A stage of <paramref name="blocks"/> blocks; the first carries <paramref name="stride"/>, all output
    /// <paramref name="outChannels"/>. <paramref name="block"/> gets (input channels, stride, drop-path rate).
    /// </summary>
    public Sequential Stage(int blocks, long stride, long outChannels, Func<long, long, double, nn.Module<Tensor, Tensor>> block)
    {
        var list = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < blocks; i++)
        {
            list.Add(block(Channels, i == 0 ? stride : 1, dropPathRates[next++]));
            Channels = outChannels;
        }
        return nn.Sequential(list);
    }
}
