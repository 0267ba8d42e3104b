using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>The classifier layer of a family, or none when it is built headless (<see cref="ModelOptions.NumClasses"/> = 0).</summary>
static class ClassifierHead
{
    /// <summary>
    /// The final linear layer (<paramref name="features"/> to <paramref name="classes"/>), or null when
    /// <paramref name="classes"/> is 0. Headless, the layer the family's default classifier would have had is still
    /// made and thrown away: its default initialisation draws from the global generator between the trunk's
    /// construction and the trunk's re-initialisation, so without those draws a headless trunk would start from
    /// other weights than the family's default classifier under the same seed.
    /// </summary>
    public static Linear? Create(long features, int classes, int defaultClasses, bool hasBias = true)
    {
        if (classes > 0) return nn.Linear(features, classes, hasBias);
        nn.Linear(features, defaultClasses, hasBias).Dispose();
        return null;
    }

    /// <summary>The logits <paramref name="head"/> makes of <paramref name="features"/>, or the features themselves when headless.</summary>
    public static Tensor Apply(Linear? head, Tensor features) => head is null ? features : head.call(features);

    /// <summary>
    /// Runs <paramref name="sequence"/> on <paramref name="input"/> without its child <paramref name="head"/> (the
    /// classifier inside a Sequential, which may be absent). The children are read from the registration, so a
    /// child replaced by ModuleSurgery (channel pruning) is the one that runs.
    /// </summary>
    public static Tensor ForwardWithout(Sequential sequence, string head, Tensor input)
    {
        var x = input;
        foreach (var (name, child) in sequence.named_children())
            if (name != head) x = ((nn.Module<Tensor, Tensor>)child).call(x);
        return x;
    }
}
