using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace Kindling.Autograd;

/// <summary>
/// PyTorch's <c>torch.autograd.gradcheck</c> (its exact, "slow" mode): the analytical Jacobian that backward computes
/// (one backward per output element, with a one-hot grad_output) is compared element by element with the numerical
/// Jacobian of central finite differences in float64, (f(x + eps) - f(x - eps)) / (2 eps); an element passes when
/// |analytical - numerical| &lt;= atol + rtol |numerical|. Also PyTorch's other checks of that mode: backward run twice
/// gives the same values (reentrancy, within nondet_tol), gradients have their input's size, a zero grad_output gives
/// zero gradients, and a function without differentiable outputs has a zero numerical Jacobian.
/// </summary>
/// <remarks>
/// Outputs are numbered among the outputs that require grad and inputs among the inputs that require grad, as in
/// PyTorch's messages ("Jacobian mismatch for output 0 with respect to input 1"). Inputs that require grad must be
/// float64: PyTorch only warns that the check "will likely fail" in lower precision, but float32's rounding
/// (about 1e-7 relative) divided by 2 eps = 2e-6 is an error of order 0.1, so a float32 gradcheck fails or passes by
/// luck; Kindling refuses such input with PyTorch's text and the fix. Not done (PyTorch's defaults leave them off or
/// they need forward-mode AD, which TorchSharp does not bind): fast mode, forward-mode AD, batched gradients,
/// undefined output gradients, sparse and complex inputs.
/// </remarks>
public static class GradCheck
{
    /// <summary>Checks a function of one tensor (see <see cref="Check(Func{Tensor[], Tensor[]}, Tensor[], GradCheckOptions?)"/>).</summary>
    public static bool Check(Func<Tensor, Tensor> function, Tensor input, GradCheckOptions? options = null) =>
        Check(x => [function(x[0])], [input], options);

    /// <summary>
    /// Checks the backward of <paramref name="function"/> at <paramref name="inputs"/> against finite differences.
    /// </summary>
    /// <param name="function">Maps the inputs to one or more outputs; it is called many times, with inputs perturbed in place.</param>
    /// <param name="inputs">float64 contiguous tensors; those with requires_grad are checked, the others held fixed.</param>
    /// <param name="options">Tolerances and behaviour; null: PyTorch's defaults.</param>
    /// <returns>True when every check passes; false on failure when <see cref="GradCheckOptions.RaiseException"/> is off.</returns>
    /// <exception cref="GradCheckException">A check failed (and RaiseException is on): the message names the output, input and element.</exception>
    /// <exception cref="ArgumentException">No input requires grad, or one that does is not float64 or not contiguous.</exception>
    public static bool Check(Func<Tensor[], Tensor[]> function, Tensor[] inputs, GradCheckOptions? options = null)
    {
        var o = options ?? new GradCheckOptions();
        try
        {
            Run(function, inputs, o);
            return true;
        }
        catch (GradCheckException) when (!o.RaiseException)
        {
            return false;
        }
    }

    /// <summary>
    /// The numerical Jacobian of output <paramref name="output"/> with respect to input <paramref name="input"/>
    /// (positions in the function's outputs and in <paramref name="inputs"/>), by central differences:
    /// element [i, j] is d output[j] / d input[i] over the flattened tensors (PyTorch's layout).
    /// </summary>
    public static double[,] NumericalJacobian(Func<Tensor[], Tensor[]> function, Tensor[] inputs, int output, int input, double eps = 1e-6)
    {
        ValidateInputs(inputs);
        using var scope = NewDisposeScope();
        return Numerical(function, inputs, input, eps)[output];
    }

    /// <summary>
    /// The analytical Jacobian of output <paramref name="output"/> with respect to input <paramref name="input"/>
    /// (positions in the function's outputs and in <paramref name="inputs"/>), one backward per output element;
    /// element [i, j] is d output[j] / d input[i] over the flattened tensors. Input <paramref name="input"/> must require grad.
    /// </summary>
    public static double[,] AnalyticalJacobian(Func<Tensor[], Tensor[]> function, Tensor[] inputs, int output, int input)
    {
        ValidateInputs(inputs);
        if (!inputs[input].requires_grad) throw new ArgumentException($"input {input} does not require grad: it has no analytical Jacobian.", nameof(input));
        using var scope = NewDisposeScope();
        var outputs = function(inputs);
        var differentiable = inputs.Where(x => x.requires_grad).ToArray();
        return Analytical(outputs[output], differentiable)[Array.IndexOf(differentiable, inputs[input])];
    }

    /// <summary>Checks the arguments as PyTorch's _check_inputs does, refusing what it only warns about (see the remarks).</summary>
    internal static void ValidateInputs(Tensor[] inputs)
    {
        bool any = false;
        for (int i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i];
            if (!x.requires_grad) continue;
            any = true;
            if (x.dtype != ScalarType.Float64)
                throw new ArgumentException($"Input #{i} requires gradient and is not a double precision floating point or complex. " +
                    "This check will likely fail if all the inputs are not of double precision floating point or complex. " +
                    $"(It is {x.dtype}; Kindling refuses it rather than warn: give gradcheck float64 inputs, e.g. x.to(float64), " +
                    "and run the function in float64.)", nameof(inputs));
            if (!x.is_contiguous())
                throw new ArgumentException($"Input #{i} is not contiguous: finite differences perturb its elements in place; call .contiguous() before gradcheck.", nameof(inputs));
        }
        if (!any)
            throw new ArgumentException("gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.", nameof(inputs));
    }

    static void Run(Func<Tensor[], Tensor[]> function, Tensor[] inputs, GradCheckOptions o)
    {
        ValidateInputs(inputs);
        using var scope = NewDisposeScope();
        var inputIndices = Enumerable.Range(0, inputs.Length).Where(i => inputs[i].requires_grad).ToArray();
        var differentiableInputs = inputIndices.Select(i => inputs[i]).ToArray();
        var outputs = function(inputs);
        var differentiable = outputs.Where(t => t.requires_grad).ToArray();

        // The analytical side runs first: the finite differences write into the inputs, which bumps their version
        // counters and would make backward through these outputs refuse ("modified by an inplace operation").
        // PyTorch writes through .data, which TorchSharp does not expose.
        var analytical = new List<double[][,]>();
        foreach (var output in differentiable)
        {
            var first = Analytical(output, differentiableInputs);
            var second = Analytical(output, differentiableInputs);
            if (MaxDifference(first, second) > o.NondetTol)
                throw new GradCheckException("Backward is not reentrant, i.e., running backward with same input and grad_output multiple times gives different values, " +
                    $"although analytical gradient matches numerical gradient.The tolerance for nondeterminism was {o.NondetTol.ToString(CultureInfo.InvariantCulture)}.");
            analytical.Add(first);
        }
        if (differentiable.Length > 0) BackwardIsMultipliedByGradOutput(differentiable, differentiableInputs);

        var numerical = inputIndices.Select(i => Numerical(function, inputs, i, o.Eps)).ToArray(); // [input][output]
        if (differentiable.Length == 0)
        {
            if (numerical.Any(perOutput => perOutput.Any(j => j.Cast<double>().Any(v => v != 0))))
                throw new GradCheckException("Numerical gradient for function expected to be zero");
            return;
        }
        var differentiableOutputPositions = Enumerable.Range(0, outputs.Length).Where(j => outputs[j].requires_grad).ToArray();
        for (int i = 0; i < differentiable.Length; i++)
            for (int j = 0; j < differentiableInputs.Length; j++)
            {
                var a = analytical[i][j];
                var n = numerical[j][differentiableOutputPositions[i]];
                if (Mismatch(a, n, o) is { } message)
                    throw new GradCheckException($"Jacobian mismatch for output {i} with respect to input {j},\n" + message +
                        Describe(differentiableInputs[j], differentiable[i], a, n));
            }
    }

    /// <summary>Central differences for every element of input <paramref name="input"/>: one Jacobian per output.</summary>
    static double[][,] Numerical(Func<Tensor[], Tensor[]> function, Tensor[] inputs, int input, double eps)
    {
        var x = inputs[input];
        // A detached view shares the input's storage, so writing into it is what the function reads; no_grad keeps the
        // writes out of any graph.
        var flat = x.detach().view(-1);
        long count = flat.numel();
        double[][,]? jacobians = null;
        for (long e = 0; e < count; e++)
        {
            double original;
            using (no_grad()) original = flat[e].item<double>();
            using (no_grad()) flat[e].fill_(original - eps);
            var below = Evaluate(function, inputs);
            using (no_grad()) flat[e].fill_(original + eps);
            var above = Evaluate(function, inputs);
            using (no_grad()) flat[e].fill_(original);
            jacobians ??= below.Select(b => new double[count, b.Length]).ToArray();
            for (int k = 0; k < below.Length; k++)
            {
                if (below[k].Length != above[k].Length)
                    throw new GradCheckException($"output {k} changed size when input {input} was perturbed ({below[k].Length} and {above[k].Length} elements).");
                for (int c = 0; c < below[k].Length; c++)
                    jacobians[k][e, c] = (above[k][c] - below[k][c]) / (2 * eps);
            }
        }
        return jacobians ?? function(inputs).Select(t => new double[0, t.numel()]).ToArray();
    }

    static double[][] Evaluate(Func<Tensor[], Tensor[]> function, Tensor[] inputs)
    {
        using var scope = NewDisposeScope();
        return function(inputs).Select(t => t.detach().to(ScalarType.Float64, CPU).contiguous().reshape(-1).data<double>().ToArray()).ToArray();
    }

    /// <summary>Row by row (one backward per output element with a one-hot grad_output): one Jacobian per input.</summary>
    static double[][,] Analytical(Tensor output, Tensor[] inputs)
    {
        long count = output.numel();
        var jacobians = inputs.Select(x => new double[x.numel(), count]).ToArray();
        for (long c = 0; c < count; c++)
        {
            using var scope = NewDisposeScope();
            var gradOutput = zeros_like(output);
            gradOutput.view(-1)[c].fill_(1.0);
            var grads = autograd.grad([output], inputs, [gradOutput], retain_graph: true, allow_unused: true);
            for (int i = 0; i < inputs.Length; i++)
            {
                var g = grads[i];
                if (g is null || g.IsInvalid) continue; // unused input: a zero column
                if (g.numel() != inputs[i].numel())
                    throw new GradCheckException("Analytical gradient has incorrect size");
                var values = g.detach().to(ScalarType.Float64, CPU).contiguous().reshape(-1).data<double>().ToArray();
                for (int r = 0; r < values.Length; r++) jacobians[i][r, c] = values[r];
            }
        }
        return jacobians;
    }

    /// <summary>PyTorch's _test_backward_mul_by_grad_output: a zero grad_output must give zero gradients.</summary>
    static void BackwardIsMultipliedByGradOutput(Tensor[] outputs, Tensor[] inputs)
    {
        using var scope = NewDisposeScope();
        var grads = autograd.grad(outputs, inputs, outputs.Select(t => zeros_like(t)).ToList(), retain_graph: true, allow_unused: true);
        foreach (var g in grads)
            if (g is not null && !g.IsInvalid && !g.eq(0).all().item<bool>())
                throw new GradCheckException("backward not multiplied by grad_output");
    }

    static double MaxDifference(double[][,] a, double[][,] b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++)
            foreach (var (x, y) in a[i].Cast<double>().Zip(b[i].Cast<double>()))
                max = Math.Max(max, Math.Abs(x - y));
        return max;
    }

    /// <summary>The first element that fails allclose, and how many do; null when all pass.</summary>
    static string? Mismatch(double[,] analytical, double[,] numerical, GradCheckOptions o)
    {
        int failed = 0;
        string? first = null;
        for (int r = 0; r < analytical.GetLength(0); r++)
            for (int c = 0; c < analytical.GetLength(1); c++)
            {
                double a = analytical[r, c], n = numerical[r, c], bound = o.Atol + o.Rtol * Math.Abs(n);
                // allclose treats NaN as a mismatch, and so does this comparison (NaN <= bound is false).
                if (Math.Abs(a - n) <= bound) continue;
                failed++;
                first ??= FormattableString.Invariant($"first at input element {r} (output element {c}): numerical {n:R}, analytical {a:R}, |difference| {Math.Abs(a - n):R} > atol + rtol * |numerical| = {bound:R}");
            }
        return first is null ? null : first + FormattableString.Invariant($"; {failed} of {analytical.Length} elements differ.\n");
    }

    static string Describe(Tensor input, Tensor output, double[,] analytical, double[,] numerical)
    {
        // The whole matrices help on small cases (as PyTorch prints them); large ones would drown the message.
        if (analytical.Length > 64) return FormattableString.Invariant($"(input shape [{string.Join(", ", input.shape)}], output shape [{string.Join(", ", output.shape)}]; the Jacobians have {analytical.Length} elements, too many to print)");
        return "numerical:" + Show(numerical) + "\nanalytical:" + Show(analytical) + "\n";
    }

    static string Show(double[,] m)
    {
        var s = new StringBuilder("[");
        for (int r = 0; r < m.GetLength(0); r++)
        {
            s.Append(r == 0 ? "[" : ",\n [");
            for (int c = 0; c < m.GetLength(1); c++)
                s.Append(c == 0 ? "" : ", ").Append(m[r, c].ToString("G6", CultureInfo.InvariantCulture));
            s.Append(']');
        }
        return s.Append(']').ToString();
    }
}
