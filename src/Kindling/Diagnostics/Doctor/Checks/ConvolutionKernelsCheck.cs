using System.Globalization;
using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// Whether this machine's libtorch computes convolutions right (<see cref="ConvolutionKernelCheck"/>: outputs and gradients
/// against unfold and a matrix product). On a VM of the kind CI runs on, oneDNN's wider kernels gave NaN and gradients off
/// by half, and a model trained on them learns from wrong gradients without any error; Kindling caps oneDNN where it can
/// tell such a CPU (<see cref="OneDnnIsaCap"/>), and this check catches the machines it cannot tell. It runs for any task
/// whose networks convolve on the CPU, before training, in about a second (once per process).
/// </summary>
public sealed class ConvolutionKernelsCheck : IDoctorCheck
{
    readonly Func<Tensor, Tensor, long, long, Tensor>? convolution;

    /// <param name="convolution">The convolution under test (input, weight, stride, padding); null: libtorch's conv2d.</param>
    public ConvolutionKernelsCheck(Func<Tensor, Tensor, long, long, Tensor>? convolution = null) => this.convolution = convolution;

    /// <inheritdoc/>
    public string Name => "convolution-kernels";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public bool NeedsClassifier => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        // The kernels checked are oneDNN's CPU ones; a GPU run convolves elsewhere.
        if (context.Device.type != TorchSharp.DeviceType.CPU) yield break;
        nn.Module network = context.Subject.Task?.Network ?? context.Model;
        // TorchSharp's Conv1d/2d/3d and ConvTranspose share this base; Kindling's own (MaskedConv2d) hold one of them.
        int convolutions = network.modules().Count(m => m is TorchSharp.Modules.Convolution);
        if (convolutions == 0) yield break;
        var result = convolution is null ? ConvolutionKernelCheck.ThisMachine : ConvolutionKernelCheck.Run(convolution: convolution);
        if (result.Passed) yield break;
        var failures = result.Failures;
        var examples = string.Join("; ", failures.DistinctBy(f => f.Shape).Take(3).Select(f => $"{f.Shape}: {f.Worst()}"));
        yield return new Finding(Name, Severity.Error,
            $"libtorch computes convolutions wrongly on this CPU: {failures.Count} of {result.Outcomes.Count} checks against unfold and a matrix product " +
            $"disagree by more than {result.Tolerance.ToString("G2", CultureInfo.InvariantCulture)} ({examples}). The {convolutions} convolution layer{(convolutions == 1 ? "" : "s")} of this model would learn from wrong gradients.",
            Fix(Environment.GetEnvironmentVariable));
    }

    // oneDNN fixes its instruction set when it first runs, so the fix is always a new process with a narrower one.
    internal static string Fix(Func<string, string?> environment)
    {
        const string Again = "and run kindling doctor to see whether the kernels agree then.";
        if (OneDnnIsaCap.Cap is { } cap)
            return $"Kindling capped oneDNN at {cap} and the kernels are still wrong: start again with ONEDNN_MAX_CPU_ISA=SSE41 in the environment (narrower still), {Again}";
        if ((environment("ONEDNN_MAX_CPU_ISA") ?? environment("DNNL_MAX_CPU_ISA")) is { Length: > 0 } user)
            return $"oneDNN runs with the instruction set set in the environment ({user}): start again with ONEDNN_MAX_CPU_ISA={OneDnnIsaCap.Isa} (or narrower), {Again}";
        var native = string.Equals(environment(OneDnnIsaCap.Switch)?.Trim(), "native", StringComparison.OrdinalIgnoreCase)
            ? $" ({OneDnnIsaCap.Switch}=native turned Kindling's own cap off)" : "";
        return $"Start again with ONEDNN_MAX_CPU_ISA={OneDnnIsaCap.Isa} in the environment{native}, {Again}";
    }
}
