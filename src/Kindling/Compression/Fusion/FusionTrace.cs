using Kindling.Models;
using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Compression.Fusion;

/// <summary>
/// Finds the layer-BatchNorm pairs of a model by watching one forward pass: a model's forward is code, so
/// which module feeds which is known only by running it. A BatchNorm is a candidate when its input is the
/// very tensor a convolution or linear layer returned (possibly through modules that are the identity in
/// eval: dropout, identity, stochastic depth) and nothing else consumed it. Uses outside modules (a
/// residual shortcut reading the convolution's output) are invisible to hooks, so every candidate is then
/// checked by simulating its fold on the same input.
/// </summary>
static class FusionTrace
{
    sealed record Call(string Name, nn.Module Module, Tensor Input, Tensor Output);

    sealed record Origin(string Layer, List<Tensor> Chain, Tensor Copy)
    {
        public bool ChangedInPlace { get; set; }
    }

    // Identity in eval mode (fusion refuses training mode), so a BN after them still sees the layer's output.
    static readonly HashSet<Type> Transparent = new()
    {
        typeof(Dropout), typeof(Dropout1d), typeof(Dropout2d), typeof(Dropout3d), typeof(AlphaDropout),
        typeof(FeatureAlphaDropout), typeof(Identity), typeof(StochasticDepth),
    };

    /// <summary>True for the layers a BatchNorm can be folded into: non-transposed convolutions and linear layers.</summary>
    public static bool IsFoldable(nn.Module m) => m is Convolution { transposed: false } or Linear;

    /// <summary>The plan for <paramref name="model"/> (in eval mode) on <paramref name="probe"/>.</summary>
    public static FusionPlan Find(nn.Module<Tensor, Tensor> model, Tensor probe)
    {
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        var calls = new List<Call>();
        var uses = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        var madeBy = new Dictionary<Tensor, Call>(ReferenceEqualityComparer.Instance);
        var origin = new Dictionary<Tensor, Origin>(ReferenceEqualityComparer.Instance);
        var found = new List<(FoldPair Pair, Origin Origin)>();
        var unfolded = new List<UnfoldedNorm>();
        // Runs as each module returns: Sequential disposes intermediate tensors, so values are read while alive.
        void Observe(Call call)
        {
            calls.Add(call);
            uses[call.Input] = uses.GetValueOrDefault(call.Input) + 1;
            if (call.Module is BatchNorm bn && !unfolded.Any(u => u.Norm == call.Name) && !found.Any(p => p.Pair.Norm == call.Name))
            {
                string? reason = Refusal(call, bn, origin, madeBy);
                if (reason is null) found.Add((new(origin[call.Input].Layer, call.Name), origin[call.Input]));
                else unfolded.Add(new(call.Name, reason));
            }
            if (IsFoldable(call.Module))
                // A copy of the output, to notice it being changed in place before the BatchNorm (a residual add_ into it).
                origin[call.Output] = new(call.Name, new() { call.Output }, call.Output.clone());
            else if (Transparent.Contains(call.Module.GetType()) && origin.TryGetValue(call.Input, out var o))
                origin[call.Output] = o with { Chain = o.Chain.Append(call.Output).ToList() };
            // An in-place module (ReLU) returns its input: that tensor no longer holds the layer's output.
            else origin.Remove(call.Output);
            madeBy[call.Output] = call;
        }
        Tensor reference;
        using (ForwardHooks.Register(model, (name, m, input, output) => Observe(new(name, m, input, output)), (_, m) => ForwardHooks.IsLeaf(m)))
            reference = model.call(probe);

        // Counts and later uses are complete only now.
        var counts = calls.GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.Count());
        var pairs = new List<FoldPair>();
        foreach (var (pair, o) in found)
        {
            string? reason = counts[pair.Norm] > 1 ? $"it runs {counts[pair.Norm]} times per forward pass (shared)"
                : counts[pair.Layer] > 1 ? $"'{pair.Layer}' runs {counts[pair.Layer]} times per forward pass (shared weights)"
                : o.Chain.Any(t => uses.GetValueOrDefault(t) > 1) ? $"the output of '{pair.Layer}' also feeds another layer, which folding would change"
                : o.ChangedInPlace ? $"the output of '{pair.Layer}' is changed in place before it reaches the BatchNorm (e.g. a residual addition into it)"
                : null;
            if (reason is null) pairs.Add(pair);
            else unfolded.Add(new(pair.Norm, reason));
        }

        // Hooks miss tensor operations (a residual addition into the layer's output, a shortcut reading it): check
        // the pairs by perturbing the layer outputs, all at once, then one by one if that fails.
        if (!Matches(model, probe, pairs, reference))
            foreach (var pair in pairs.ToList())
                if (!Matches(model, probe, new[] { pair }, reference))
                {
                    pairs.Remove(pair);
                    unfolded.Add(new(pair.Norm, $"the output of '{pair.Layer}' is also used outside modules (e.g. by a residual shortcut), which folding would change"));
                }
        if (!Matches(model, probe, pairs, reference))
            throw new InvalidOperationException("The layer outputs that each reach only their BatchNorm do not together; fuse the layers by hand.");
        var order = calls.Select(c => c.Name).Distinct().Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        return new FusionPlan(
            pairs.OrderBy(p => order[p.Norm]).ToList(),
            unfolded.OrderBy(u => order[u.Norm]).ToList());
    }

    static string? Refusal(Call call, BatchNorm bn, Dictionary<Tensor, Origin> origin, Dictionary<Tensor, Call> madeBy)
    {
        if (bn.running_mean is null || bn.running_var is null)
            return "it has no running statistics (track_running_stats=false): it normalizes every batch with that batch's own statistics, which no fixed weights can reproduce";
        if (!origin.TryGetValue(call.Input, out var o))
            return madeBy.TryGetValue(call.Input, out var from)
                ? $"its input comes from '{from.Name}' ({from.Module.GetType().Name}), not straight from a convolution or linear layer: a BatchNorm can be folded only into the layer right before it (a pre-activation BatchNorm comes before its convolution)"
                : "its input is the model's input or the result of a tensor operation (e.g. a residual addition), not a layer's output: a BatchNorm can be folded only into the layer right before it";
        o.ChangedInPlace = !o.Copy.equal(call.Input).all().item<bool>();
        return null;
    }

    /// <summary>
    /// Whether each pair's layer output reaches nothing but its BatchNorm: the layer's output is passed through a
    /// random per-channel affine map A and the BatchNorm's input through A⁻¹; the model's output stays
    /// <paramref name="reference"/> exactly when nothing else reads the layer's output. (Simulating the fold with the
    /// BatchNorm's own parameters would not do: a BatchNorm near its initial identity hides a wrong fold.)
    /// </summary>
    static bool Matches(nn.Module<Tensor, Tensor> model, Tensor probe, IEnumerable<FoldPair> pairs, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var removers = new List<Action>();
        var generator = new Generator(1);
        try
        {
            foreach (var pair in pairs)
            {
                var layer = (nn.Module<Tensor, Tensor>)ModuleSurgery.Get(model, pair.Layer);
                var bn = (BatchNorm)ModuleSurgery.Get(model, pair.Norm);
                var scale = (rand(bn.num_features, generator: generator) * 1.5 + 0.5).to(probe.device);
                var shift = randn(bn.num_features, generator: generator).to(probe.device);
                Tensor PerChannel(Tensor v, Tensor like)
                {
                    var shape = Enumerable.Repeat(1L, (int)like.dim()).ToArray();
                    shape[1] = -1;
                    return v.reshape(shape);
                }
                removers.Add(layer.register_forward_hook((_, _, output) => output * PerChannel(scale, output) + PerChannel(shift, output)).remove);
                removers.Add(bn.register_forward_hook((_, input, _) => bn.forward((input - PerChannel(shift, input)) / PerChannel(scale, input))).remove);
            }
            var y = model.call(probe);
            double diff = (y - reference).abs().max().item<float>();
            double size = reference.abs().max().item<float>();
            return diff <= 1e-4 * (1 + size);
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
    }
}
