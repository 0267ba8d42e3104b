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
        // Same inputs, same quantization parameters: the logits must agree to a rounding, not to "closer than the float
        // model". The graph's output (the head's logits) is not quantized, so the step that bounds a real disagreement is
        // the head's input's: ONNX Runtime accumulates in int32 where the fake-quantized forward accumulates in float, so
        // a value lying on a rounding boundary may land one step the other way; one such element moves a logit by at
        // most that step times the head's largest weight. A wrong scale, zero point or a layer left unquantized moves
        // many elements and breaks this (measured on this machine: 6e-9 apart, against 5e-5 for the float model).
        var graph = OnnxExporter.ToModel(qat.Model, Chw).Graph;
        var plan = QdqQuantizer.Plan(graph);
        var headInput = graph.Nodes.Last(n => n.OpType is "Gemm" or "MatMul").Inputs[0];
        float step = qat.ActivationParams[plan.SharedWith.GetValueOrDefault(headInput) ?? headInput].Scales[0];
        var head = qat.Model.modules().OfType<TorchSharp.Modules.Linear>().Last();
        double tolerance = step * head.weight!.abs().max().item<float>();
        double qatErr = (int8 - fake).abs().max().item<float>(), floatErr = (int8 - fp32).abs().max().item<float>();
        Assert.True(tolerance < floatErr, $"the tolerance ({tolerance:E2}) would not tell the QAT forward from the float model ({floatErr:E2}): make the test's model or inputs larger");
        Assert.Equal(fake.argmax(1).data<long>().ToArray(), int8.argmax(1).data<long>().ToArray());
        Assert.True(qatErr <= tolerance, $"|ORT int8 - fake-quant| {qatErr:E2} exceeds one step of one of the head's inputs ({tolerance:E2}); |ORT int8 - float| {floatErr:E2}");
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
