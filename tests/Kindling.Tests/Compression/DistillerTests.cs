using Kindling.Data.BatchMix;
using Kindling.Data.Datasets;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Tests.Training;
using Kindling.Training;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Compression;

/// <summary>Distillation wired into the Trainer: the teacher frozen (weights, BatchNorm statistics, no grads), fed the student's own mixed batch, the student trained.</summary>
[Collection("GlobalGenerator")]
public class DistillerTests
{
    static nn.Module<Tensor, Tensor> Net(int seed, int width = 4)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(seed);
        return nn.Sequential(("conv", nn.Conv2d(1, width, 3, padding: 1)), ("bn", nn.BatchNorm2d(width)), ("relu", nn.ReLU()),
            ("flat", nn.Flatten()), ("fc", nn.Linear(width * 64, 3)));
    }

    static Dictionary<string, Tensor> Snapshot(nn.Module module) =>
        module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(module.named_buffers())
            .ToDictionary(p => p.Item1, p => p.Item2.detach().clone());

    static TrainerOptions Options(IBatchMix? mix = null) => new()
    {
        Epochs = 2,
        Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.1, Momentum = 0.9 },
        Device = "cpu",
        Seed = 3,
        BatchMix = mix,
    };

    // The student of the distiller (or, without one, plain classification) on the engine.
    static void Fit(TrainerOptions options, Distiller? distiller, nn.Module<Tensor, Tensor> student, Kindling.Data.Loading.DataLoader loader) =>
        new Trainer(options).Fit(distiller is null ? new ClassificationTask(student, 3, ClassificationOptions.From(options))
            : new DistillationTask(student, 3, distiller, ClassificationOptions.From(options)), loader);

    [Fact]
    public void TheTeacherStaysFrozenWhileTheStudentLearns()
    {
        using var teacher = Net(1, width: 6);
        teacher.train(); // the Distiller must put it in eval mode itself
        var before = Snapshot(teacher);
        using var distiller = new Distiller(teacher, alpha: 0.5, temperature: 4);
        using var student = Net(2);
        var studentBefore = Snapshot(student);

        Fit(Options(new Mixup(0.4)), distiller, student, TinyData.Loader(TinyData.Bands(48), 16, shuffle: true));

        Assert.False(teacher.training);
        foreach (var (name, p) in teacher.named_parameters())
        {
            Assert.False(p.requires_grad, $"teacher {name} requires grad");
            Assert.Null(p.grad);
        }
        // BatchNorm's running statistics too: they would move if the teacher ran in train mode.
        foreach (var (name, value) in Snapshot(teacher))
            Assert.True(value.equal(before[name]).all().item<bool>(), $"teacher {name} changed");
        var moved = Snapshot(student).Where(kv => kv.Value.is_floating_point() && !kv.Value.allclose(studentBefore[kv.Key])).Select(kv => kv.Key).ToList();
        Assert.Contains("conv.weight", moved);
        Assert.Contains("fc.weight", moved);
        Assert.Contains("bn.running_mean", moved);
    }

    [Fact]
    public void TheTeacherSeesExactlyTheMixedBatchTheStudentSees()
    {
        var teacher = new Recorder(Net(1));
        using var distiller = new Distiller(teacher);
        using var student = new Recorder(Net(2));

        Fit(Options(new Mixup(1.0)) with { Epochs = 1 }, distiller, student, TinyData.Loader(TinyData.Bands(48), 16, shuffle: true));

        Assert.Equal(3, student.Seen.Count);
        Assert.Equal(student.Seen.Count, teacher.Seen.Count);
        for (int i = 0; i < student.Seen.Count; i++) Assert.True(student.Seen[i].equal(teacher.Seen[i]).all().item<bool>(), $"batch {i} differs");
        // Mixed: no input is one of the plain band images (whose pixels are whole multiples of 1/255).
        var scaled = student.Seen[0] * 255;
        Assert.False(scaled.sub(scaled.round()).abs().max().item<float>() < 1e-3, "the batch does not look mixed");
    }

    [Fact]
    public void AlphaOneIsPlainTrainingAndTheSoftTargetsChangeTheStudent()
    {
        using var teacher = Net(1, width: 6);
        var train = TinyData.Bands(48);
        nn.Module<Tensor, Tensor> Train(Distiller? d)
        {
            var student = Net(2);
            Fit(Options(), d, student, TinyData.Loader(train, 16, shuffle: true));
            return student;
        }
        using var plain = Train(null);
        using var hardOnly = Train(new Distiller(teacher, alpha: 1.0));
        using var distilled = Train(new Distiller(teacher, alpha: 0.3, temperature: 2));
        var p = Snapshot(plain);
        Assert.All(Snapshot(hardOnly), kv => Assert.True(kv.Value.allclose(p[kv.Key], rtol: 1e-5, atol: 1e-6), $"{kv.Key}: alpha 1 differs from plain training"));
        Assert.False(Snapshot(distilled)["fc.weight"].allclose(p["fc.weight"], rtol: 1e-3, atol: 1e-4), "the teacher's soft targets had no effect");
    }

    [Fact]
    public void AMismatchedTeacherIsRefusedByName()
    {
        var stats = new ChannelStatistics([0.5], [0.25]);
        using var distiller = new Distiller(Net(1)) { Classes = ["a", "b", "c"], InputShape = new ImageShape(1, 8, 8), Normalization = stats };
        var classes = Assert.Throws<ArgumentException>(() => distiller.Bind(["a", "b"], new ImageShape(1, 8, 8), stats, "t.ckpt"));
        Assert.Contains("t.ckpt predicts 3 classes", classes.Message);
        Assert.Contains("has 2", classes.Message);
        var order = Assert.Throws<ArgumentException>(() => distiller.Bind(["a", "c", "b"], new ImageShape(1, 8, 8), stats, "t.ckpt"));
        Assert.Contains("same order", order.Message);
        var shape = Assert.Throws<ArgumentException>(() => distiller.Bind(["a", "b", "c"], new ImageShape(3, 8, 8), stats, "t.ckpt"));
        Assert.Contains("input shape", shape.Message);
        distiller.Bind(["a", "b", "c"], new ImageShape(1, 8, 8), stats, "t.ckpt");
    }

    [Fact]
    public void TheStudentsBatchIsRenormalizedToTheTeachersStatistics()
    {
        var teacher = new Recorder(Net(1));
        using var distiller = new Distiller(teacher) { Normalization = new ChannelStatistics([0.5], [0.25]) };
        distiller.Bind(["a", "b", "c"], new ImageShape(1, 8, 8), new ChannelStatistics([0.2], [0.5]));
        using var x = randn(2, 1, 8, 8);
        using var _ = distiller.TeacherLogits(x);
        // The raw pixels are x * 0.5 + 0.2; the teacher wants them normalized with its own mean and std.
        using var expected = (x * 0.5 + 0.2 - 0.5) / 0.25;
        Assert.True(teacher.Seen.Single().allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    /// <summary>Records a copy of every input it sees.</summary>
    sealed class Recorder : nn.Module<Tensor, Tensor>
    {
        readonly nn.Module<Tensor, Tensor> inner;

        public Recorder(nn.Module<Tensor, Tensor> inner) : base(nameof(Recorder))
        {
            this.inner = inner;
            RegisterComponents();
        }

        public List<Tensor> Seen { get; } = new();

        public override Tensor forward(Tensor input)
        {
            Seen.Add(input.detach().clone().DetachFromDisposeScope());
            return inner.call(input);
        }
    }
}
