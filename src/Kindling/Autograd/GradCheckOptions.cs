namespace Kindling.Autograd;

/// <summary>
/// <see cref="GradCheck"/> and <see cref="GradGradCheck"/> settings, with PyTorch's names and defaults
/// (<c>torch.autograd.gradcheck</c>: eps 1e-6, atol 1e-5, rtol 1e-3, nondet_tol 0, raise_exception true).
/// </summary>
public sealed record GradCheckOptions
{
    /// <summary>The perturbation of the central finite difference: (f(x + eps) - f(x - eps)) / (2 eps).</summary>
    public double Eps { get; init; } = 1e-6;

    /// <summary>Absolute tolerance: an element passes when |analytical - numerical| &lt;= atol + rtol |numerical|.</summary>
    public double Atol { get; init; } = 1e-5;

    /// <summary>Relative tolerance (see <see cref="Atol"/>).</summary>
    public double Rtol { get; init; } = 1e-3;

    /// <summary>How far two backward passes with the same input and grad_output may differ (0: exactly equal).</summary>
    public double NondetTol { get; init; }

    /// <summary>Throw a <see cref="GradCheckException"/> on failure (PyTorch's default); false: return false.</summary>
    public bool RaiseException { get; init; } = true;

    /// <summary>Seed of <see cref="GradGradCheck"/>'s random grad_outputs (uniform in [-1, 1), as PyTorch's make_tensor).</summary>
    public long Seed { get; init; }
}
