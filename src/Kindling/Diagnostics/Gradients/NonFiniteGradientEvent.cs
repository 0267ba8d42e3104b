namespace Kindling.Diagnostics.Gradients;

/// <summary>
/// An optimizer step whose gradients held NaN or Inf, and where it began: <paramref name="ForwardLayer"/>
/// is the first module in forward order whose output was not finite (the cause when the forward pass made
/// it); when every output was finite the backward pass made it, and <paramref name="BackwardParameter"/> is
/// the first parameter in backward order (the last in forward order) with a non-finite gradient, because
/// gradients flow from the loss backwards and everything behind that point is contaminated.
/// </summary>
public sealed record NonFiniteGradientEvent(int Epoch, long Step, int Batch, string? ForwardLayer, string? BackwardParameter, IReadOnlyList<string> Parameters)
{
    /// <summary>One sentence for the console.</summary>
    public string Describe() =>
        $"NaN/Inf gradients at epoch {Epoch}, batch {Batch} (step {Step}) in {Parameters.Count} parameters; " +
        (ForwardLayer is not null
            ? $"it first appeared in the forward pass, in {ForwardLayer} (the first layer in forward order whose output is not finite)."
            : $"every layer's output was finite, so the backward pass produced it: the first parameter in backward order with a non-finite gradient is {BackwardParameter}.");
}
