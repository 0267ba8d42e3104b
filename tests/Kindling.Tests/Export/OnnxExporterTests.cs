using Kindling.Export.Onnx;
using Kindling.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Tests.Export;

[Collection("GlobalGenerator")]
public class OnnxExporterTests
{
    // Small enough to run quickly: few classes, 32x32 where the family allows it (ImageNet stems too).
    static ModelOptions Small(string name) => name switch
    {
        "vit-tiny-cifar" => new ModelOptions { NumClasses = 5, Depth = 2 },
        "wrn" => new ModelOptions { NumClasses = 5, Depth = 10, WidenFactor = 1 },
        _ => new ModelOptions { NumClasses = 5 },
    };

    public static TheoryData<string> RegistryNames() => new(ModelRegistry.Names);

    [Theory]
    [MemberData(nameof(RegistryNames))]
    public void Every_registry_model_runs_in_onnx_runtime_as_in_torchsharp_at_batch_1_and_3(string name)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var model = ModelRegistry.Create(name, Small(name));
        RandomizeNormStatistics(model);
        model.eval();
        var onnx = OnnxExporter.ToModel(model, new long[] { 3, 32, 32 });
        using var ort = new OnnxRuntimeModel(onnx.ToBytes(), intraOpThreads: 1);
        foreach (int batch in new[] { 1, 3 })
        {
            var x = torch.randn(batch, 3, 32, 32);
            Tensor expected;
            using (torch.no_grad()) expected = model.call(x);
            var actual = ort.Run(x);
            Assert.Equal(expected.shape, actual.shape);
            double diff = (actual - expected).abs().max().item<float>();
            Assert.True(diff <= 1e-4, $"{name} batch {batch}: max |ONNX Runtime - TorchSharp| = {diff:E2} (max |logit| {expected.abs().max().item<float>():F2})");
        }
    }

    [Theory]
    [InlineData("seed-cnn")]
    [InlineData("resnet18-cifar")]
    [InlineData("mobilenetv2-cifar")]
    [InlineData("vit-tiny-cifar")]
    public void Headless_models_export_their_features(string name)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var model = ModelRegistry.Create(name, Small(name) with { NumClasses = 0 });
        model.eval();
        var onnx = OnnxExporter.ToModel(model, new long[] { 3, 32, 32 });
        using var ort = new OnnxRuntimeModel(onnx.ToBytes(), intraOpThreads: 1);
        var x = torch.randn(2, 3, 32, 32);
        Tensor expected;
        using (torch.no_grad()) expected = model.call(x);
        var actual = ort.Run(x);
        Assert.Equal(new[] { 2L, ((IFeatureModel)model).NumFeatures }, actual.shape);
        Assert.True((actual - expected).abs().max().item<float>() <= 1e-4, name);
    }

    [Fact]
    public void The_file_names_its_input_and_output_has_a_dynamic_batch_axis_and_targets_opset_17()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "m.onnx");
        var model = ModelRegistry.Create("fastnet", new ModelOptions { NumClasses = 7, WidthMultiplier = 0.25 });
        OnnxExporter.Export(model, new long[] { 3, 32, 32 }, path, new OnnxExportOptions { InputName = "images", OutputName = "scores" });
        var read = OnnxModel.Load(path);
        Assert.Equal(17, read.Opset);
        Assert.Equal(8, read.IrVersion);
        var input = Assert.Single(read.Graph.Inputs);
        Assert.Equal("images", input.Name);
        Assert.Equal(new long?[] { null, 3, 32, 32 }, input.Dims);
        Assert.Equal("batch", input.DimParams[0]);
        var output = Assert.Single(read.Graph.Outputs);
        Assert.Equal("scores", output.Name);
        Assert.Equal(new long?[] { null, 7 }, output.Dims);
        Assert.Contains(read.Graph.Nodes, n => n.OpType == "Conv" && n.Name.StartsWith("body.stem.conv"));
        Assert.NotNull(read.Graph.Initializer("body.stem.conv.weight"));
        using var ort = OnnxRuntimeModel.FromFile(path, intraOpThreads: 1);
        Assert.Equal(new[] { "scores" }, ort.OutputNames);
    }

    [Fact]
    public void A_fixed_batch_is_written_when_asked()
    {
        var model = ModelRegistry.Create("seed-cnn", new ModelOptions { NumClasses = 3 });
        var onnx = OnnxExporter.ToModel(model, new long[] { 3, 32, 32 }, new OnnxExportOptions { DynamicBatch = false, BatchSize = 4, Opset = 18 });
        Assert.Equal(new long?[] { 4, 3, 32, 32 }, onnx.Graph.Inputs[0].Dims);
        Assert.Equal(18, OnnxModel.Load(Save(onnx)).Opset);
    }

    sealed class Unknown : nn.Module<Tensor, Tensor>
    {
        public Unknown() : base(nameof(Unknown)) { }
        public override Tensor forward(Tensor input) => input.relu();
    }

    [Fact]
    public void An_unsupported_module_type_is_named_with_its_path_and_a_registered_converter_plugs_it_in()
    {
        var model = nn.Sequential(("conv", nn.Conv2d(3, 4, 3)), ("odd", new Unknown()), ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()));
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.ToModel(model, new long[] { 3, 8, 8 }));
        Assert.Contains(typeof(Unknown).FullName!, e.Message);
        Assert.Contains("'odd'", e.Message);

        var registry = OnnxConverterRegistry.Default.Clone().Register<Unknown>((c, _, x) => c.Node("Relu", new[] { x }));
        var onnx = OnnxExporter.ToModel(model, new long[] { 3, 8, 8 }, new OnnxExportOptions { Converters = registry });
        Assert.Contains(onnx.Graph.Nodes, n => n.OpType == "Relu" && n.Name.StartsWith("odd/"));
        Assert.Null(OnnxConverterRegistry.Default.Find(typeof(Unknown)));
    }

    [Fact]
    public void Bad_shapes_and_old_opsets_are_refused()
    {
        var model = ModelRegistry.Create("seed-cnn", new ModelOptions { NumClasses = 3 });
        Assert.Throws<ArgumentException>(() => OnnxExporter.ToModel(model, new long[] { 32, 32 }));
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.ToModel(model, new long[] { 3, 32, 32 }, new OnnxExportOptions { Opset = 13 }));
        Assert.Contains("17", e.Message);
    }

    static string Save(OnnxModel model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kindling-onnx-{Guid.NewGuid():N}.onnx");
        model.Save(path);
        return path;
    }

    static void RandomizeNormStatistics(nn.Module model)
    {
        using var _ = torch.no_grad();
        foreach (var (_, m) in model.named_modules())
            if (m is BatchNorm2d bn)
            {
                bn.running_mean!.copy_(torch.randn(bn.num_features) * 0.1);
                bn.running_var!.copy_(torch.rand(bn.num_features) + 0.5);
                // Scales below 1 keep deep residual stacks' logits at trained-model magnitudes (single digits).
                bn.weight!.copy_(torch.rand(bn.num_features) * 0.5 + 0.25);
                bn.bias!.copy_(torch.randn(bn.num_features) * 0.1);
            }
    }
}
