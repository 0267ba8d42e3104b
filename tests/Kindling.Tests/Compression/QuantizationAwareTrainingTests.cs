using Kindling.Compression.Quantization;
using Kindling.Export.Onnx;
using Kindling.Models;
using Kindling.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Compression;

[Collection("GlobalGenerator")]
public class QuantizationAwareTrainingTests
{
    static readonly long[] Chw = { 3, 16, 16 };

    static QuantizationAwareModel Prepared()
    {
        torch.manual_seed(5);
        var model = ModelRegistry.Create("seed-cnn", new ModelOptions { NumClasses = 4, InputSize = 16, Norm = NormSpec.None, DropRate = 0 });
        var qat = new QuantizationAwareModel(model, Chw);
        qat.Calibrate(Enumerable.Range(0, 2).Select(_ => torch.randn(8, 3, 16, 16)));
        return qat;
    }

    [Fact]
    public void The_fake_quantized_forward_is_what_onnx_runtime_computes_with_the_exported_qdq_model()
    {
        using var scope = torch.NewDisposeScope();
        var qat = Prepared();
        qat.eval();
        var x = torch.randn(6, 3, 16, 16);
        Tensor fake, fp32;
        using (torch.no_grad())
        {
            fake = qat.call(x);
            fp32 = qat.Model.call(x);
        }
        using var ort = new OnnxRuntimeModel(qat.ToOnnx().ToBytes(), intraOpThreads: 1);
        var int8 = ort.Run(x);
        // ONNX Runtime's integer kernels requantize in their own order, so not bit-exact; but the QAT
        // forward is much closer to them than the float model is.
        double qatErr = (int8 - fake).abs().max().item<float>(), floatErr = (int8 - fp32).abs().max().item<float>();
        Assert.True(qatErr < 0.5 * floatErr, $"|int8 - fake-quant| {qatErr:E2} vs |int8 - float| {floatErr:E2}");
    }

    [Fact]
    public void Training_moves_the_weights_through_the_rounding_and_the_activation_ranges()
    {
        using var scope = torch.NewDisposeScope();
        var qat = Prepared();
        var before = qat.ActivationParams.ToDictionary(p => p.Key, p => p.Value.Scales[0]);
        var weight = qat.Model.parameters().First().detach().clone();
        var optimizer = torch.optim.SGD(qat.parameters(), 0.05);
        qat.train();
        var x = torch.randn(16, 3, 16, 16) * 2;
        var y = torch.randint(0, 4, 16);
        for (int i = 0; i < 3; i++)
        {
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(qat.call(x), y);
            loss.backward();
            var grad = qat.Model.parameters().First().grad;
            Assert.NotNull(grad);
            Assert.True(grad!.abs().sum().item<float>() > 0, "no gradient reached the first convolution through the fake quantization");
            optimizer.step();
        }
        Assert.False(torch.allclose(weight, qat.Model.parameters().First()), "the weights did not change");
        Assert.Contains(qat.ActivationParams, p => p.Value.Scales[0] != before[p.Key]);
    }

    [Fact]
    public void A_model_with_batchnorm_left_is_refused()
    {
        var model = ModelRegistry.Create("seed-cnn", new ModelOptions { NumClasses = 4, InputSize = 16 });
        Assert.Contains("fold", Assert.Throws<ArgumentException>(() => new QuantizationAwareModel(model, Chw)).Message);
    }
}
