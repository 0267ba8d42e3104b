using Kindling.Runtime;
using Kindling.Training.Tasks;
using static TorchSharp.torch;

namespace Kindling.Tests.Training.Tasks;

/// <summary>The classifier takes cross-entropy's class weights, one per class.</summary>
public class ClassificationTaskClassWeightTests
{
    public ClassificationTaskClassWeightTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void OneWeightPerClassIsRequired()
    {
        using var model = nn.Linear(4, 3);
        Assert.NotNull(new ClassificationTask(model, 3, new ClassificationOptions { ClassWeights = [1, 2, 3] }));
        var e = Assert.Throws<ArgumentException>(() => new ClassificationTask(model, 3, new ClassificationOptions { ClassWeights = [1, 2] }));
        Assert.Contains("2 class weights for 3 classes", e.Message);
    }
}
