using System.Collections;
using System.Diagnostics;
using Kindling.Export;
using Kindling.Models;
using Kindling.Runtime;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Kindling.Tests.Export;

/// <summary>
/// Kindling's models and PyTorch's definitions of the same architectures (torchvision's resnet18 and
/// mobilenet_v2, the seed CNN in Oracle/seed_cnn.py) exchange weights: Kindling's export loads strictly in
/// PyTorch and gives Kindling's logits; PyTorch's saved state dict imports into Kindling and gives PyTorch's.
/// </summary>
[Collection("GlobalGenerator")]
public class PyTorchInteropTests
{
    static readonly (string Name, int Classes, int Channels, int Size)[] Models =
        [("resnet18", 10, 3, 64), ("mobilenetv2", 7, 3, 64), ("seed-cnn", 10, 3, 32)];

    [PyTorchFact]
    public void WeightsMoveBothWaysWithTheSameLogits()
    {
        TorchRuntime.EnsureLoaded();
        using var tmp = new TempDir();
        var inputs = new Dictionary<string, Tensor>();
        var models = new Dictionary<string, nn.Module<Tensor, Tensor>>();
        try
        {
            foreach (var (name, classes, channels, size) in Models)
            {
                manual_seed(5);
                var model = ModelRegistry.Create(name, new ModelOptions { NumClasses = classes, InChannels = channels, InputSize = size });
                models[name] = model;
                Randomize(model);
                model.eval();
                var x = inputs[name] = randn(2, channels, size, size);
                var folder = Directory.CreateDirectory(Path.Combine(tmp.Path, name)).FullName;
                PyTorchPickler.PickleStateDict(Path.Combine(folder, "input.pt"), new Hashtable { ["input"] = x });
                PyTorchStateDict.Save(model, name, Path.Combine(folder, "kindling.pt"));
            }

            RunPython(tmp.Path, Models.Select(m => $"{m.Name}:{m.Classes}"));

            foreach (var (name, classes, channels, size) in Models)
            {
                var folder = Path.Combine(tmp.Path, name);
                using (no_grad())
                using (var ours = models[name].call(inputs[name]))
                using (var theirs = Logits(Path.Combine(folder, "exported_logits.pt")))
                    AssertClose(ours, theirs, $"{name}: PyTorch on Kindling's export");

                using var imported = ModelRegistry.Create(name, new ModelOptions { NumClasses = classes, InChannels = channels, InputSize = size });
                PyTorchStateDict.Load(imported, name, Path.Combine(folder, "pytorch_weights.pt"));
                imported.eval();
                using (no_grad())
                using (var ours = imported.call(inputs[name]))
                using (var theirs = Logits(Path.Combine(folder, "pytorch_logits.pt")))
                    AssertClose(ours, theirs, $"{name}: Kindling on PyTorch's weights");
            }
        }
        finally
        {
            foreach (var t in inputs.Values) t.Dispose();
            foreach (var m in models.Values) m.Dispose();
        }
    }

    /// <summary>Random BatchNorm statistics and scales, so a name mix-up between two norms cannot go unnoticed.</summary>
    static void Randomize(nn.Module model)
    {
        using var _ = no_grad();
        foreach (var (name, buffer) in model.named_buffers())
            if (name.EndsWith("running_mean", StringComparison.Ordinal)) buffer.uniform_(-0.2, 0.2);
            else if (name.EndsWith("running_var", StringComparison.Ordinal)) buffer.uniform_(0.5, 1.5);
        foreach (var (module, m) in model.named_modules())
            if (m is TorchSharp.Modules.BatchNorm2d bn)
            {
                bn.weight!.uniform_(0.5, 1.5);
                bn.bias!.uniform_(-0.2, 0.2);
            }
    }

    static void RunPython(string root, IEnumerable<string> specs)
    {
        var start = new ProcessStartInfo(PyTorchFactAttribute.Python, [OracleFixtures.PathOf("pytorch_interop.py"), root, .. specs])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"pytorch_interop.py failed ({p.ExitCode}):\n{stdout}\n{stderr.Result}");
    }

    static Tensor Logits(string path) => (Tensor)PyTorchUnpickler.UnpickleStateDict(path)["logits"]!;

    static void AssertClose(Tensor ours, Tensor theirs, string what)
    {
        Assert.Equal(ours.shape, theirs.shape);
        var diff = (ours - theirs).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"{what}: logits differ by up to {diff} (expected < 1e-4)");
    }
}
