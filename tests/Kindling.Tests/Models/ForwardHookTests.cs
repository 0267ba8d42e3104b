using Kindling.Models;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Models;

/// <summary>Forward hooks capture named activations and go away when disposed.</summary>
public class ForwardHookTests
{
    public ForwardHookTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void CapturesNamedActivations()
    {
        using var scope = NewDisposeScope();
        using var model = ModelRegistry.Create("resnet18-cifar", new ModelOptions { NumClasses = 10 });
        model.eval();
        using var capture = new ActivationCapture(model, "layer1", "layer4.1.conv2", "fc");
        var x = randn(2, 3, 32, 32);
        var logits = model.call(x);
        Assert.Equal(new long[] { 2, 64, 32, 32 }, capture["layer1"].shape);
        Assert.Equal(new long[] { 2, 512, 4, 4 }, capture["layer4.1.conv2"].shape);
        Assert.True(capture["fc"].allclose(logits));
        Assert.Equal(new[] { "layer1", "layer4.1.conv2", "fc" }, capture.Names);
        // Detached copies: a later in-place change of the output does not reach the capture.
        logits.zero_();
        Assert.False(capture["fc"].eq(0).all().item<bool>());
    }

    [Fact]
    public void CapturesEveryLeafByDefaultAndStopsWhenDisposed()
    {
        using var scope = NewDisposeScope();
        using var model = new SeedCnn(10);
        model.eval();
        var capture = new ActivationCapture(model);
        model.call(zeros(1, 3, 32, 32));
        Assert.Equal(40, capture.Names.Count);
        Assert.Equal(new long[] { 1, 2048 }, capture["classifier.flatten"].shape);
        capture.Dispose();
        int calls = 0;
        using (ForwardHooks.Register(model, (_, _, _, _) => calls++, (n, _) => n == "classifier.fc3"))
            model.call(zeros(1, 3, 32, 32));
        Assert.Equal(1, calls);
        model.call(zeros(1, 3, 32, 32));
        Assert.Equal(1, calls);
    }

    [Fact]
    public void UnknownNameIsAClearError()
    {
        using var model = new SeedCnn(10);
        var ex = Assert.Throws<ArgumentException>(() => new ActivationCapture(model, "block1.conv1"));
        Assert.Contains("block1.conv1", ex.Message);
        Assert.Contains("features", ex.Message);
        using var capture = new ActivationCapture(model, "features.block1.conv1");
        Assert.Throws<KeyNotFoundException>(() => capture["features.block1.conv1"]);
    }
}
