namespace Kindling.Autograd;

/// <summary>A failed <see cref="GradCheck"/> or <see cref="GradGradCheck"/> (PyTorch's <c>GradcheckError</c>).</summary>
public sealed class GradCheckException : Exception
{
    /// <param name="message">What failed: which output, input and element, with both values.</param>
    public GradCheckException(string message) : base(message) { }
}
