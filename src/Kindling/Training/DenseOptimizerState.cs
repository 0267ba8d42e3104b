using System.Reflection;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// TorchSharp saves and loads optimizer state byte for byte and refuses strided tensors, but the state of a
/// channels-last parameter is channels-last too (zeros_like, or SGD's clone of the gradient). While the returned
/// scope lives, every strided state tensor is dense (same tensor object, new storage, via set_); disposing it puts
/// the channels-last ones back, so the optimizer keeps stepping in the parameters' layout.
/// </summary>
public sealed class DenseOptimizerState : IDisposable
{
    readonly List<Tensor> restore = new();

    DenseOptimizerState(OptimizerHelper optimizer)
    {
        using var _ = no_grad();
        foreach (var state in optimizer.state_dict().State)
            foreach (var t in StateTensors(state))
            {
                if (t.is_contiguous()) continue;
                if (ChannelsLast.Is(t)) restore.Add(t);
                using var dense = t.contiguous();
                t.set_(dense);
            }
    }

    public static DenseOptimizerState For(OptimizerHelper optimizer) => new(optimizer);

    /// <summary>The tensors a TorchSharp optimizer state holds: its public Tensor fields (exp_avg, momentum_buffer, ...), those set.</summary>
    static IEnumerable<Tensor> StateTensors(OptimizerState state) =>
        state.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance)
            .Where(f => f.FieldType == typeof(Tensor))
            .Select(f => (Tensor?)f.GetValue(state))
            .Where(t => t is not null && !t.IsInvalid)!;

    public void Dispose()
    {
        using var _ = no_grad();
        foreach (var t in restore)
        {
            using var nhwc = ChannelsLast.Of(t);
            t.set_(nhwc);
        }
        restore.Clear();
    }
}
