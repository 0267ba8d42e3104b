using Kindling.Config.Sections;
using Kindling.Config.Yaml;
using Kindling.Data.Transforms;
using YamlDotNet.RepresentationModel;

namespace Kindling.Config.Runs;

/// <summary>
/// The transforms a recipe may name (torchvision's class names in snake case), their arguments
/// under torchvision's names with types and ranges, and how each is built. One table so the
/// binder, the validator and the builder cannot disagree about what a transform takes.
/// </summary>
public static class TransformCatalog
{
    internal enum Kind { Int, Double, Bool, Text, IntOrPair, IntOrList, DoublePair, DoubleOrList, DoubleOrPair }

    internal sealed record Arg(string Name, Kind Kind, Func<object, bool>? Valid = null, string Expected = "", IReadOnlyList<string>? Allowed = null);

    /// <summary>Where in the pipeline a transform works: on uint8 images as read, or on float images after to_tensor.</summary>
    internal enum Stage { Uint8, Float, Any }

    internal sealed record Entry(string Name, Stage Stage, IReadOnlyList<Arg> Args, Func<TransformArguments, ISampleTransform> Build);

    static readonly string[] PaddingModes = ["constant", "edge", "reflect", "symmetric"];
    static readonly string[] Interpolations = ["nearest", "bilinear", "bicubic"];

    static Arg Probability(string name = "p") => new(name, Kind.Double, v => (double)v is >= 0 and <= 1, "a probability in [0, 1]");
    static Arg Positive(string name, Kind kind = Kind.Int) => new(name, kind, v => v switch { int i => i >= 1, int[] a => a.All(x => x >= 1), double d => d > 0, _ => true }, "values >= 1");
    static Arg NonNegative(string name, Kind kind = Kind.Double) => new(name, kind, v => v switch { double d => d >= 0, int i => i >= 0, int[] a => a.All(x => x >= 0), _ => true }, "values >= 0");
    static Arg Choice(string name, string[] allowed) => new(name, Kind.Text, null, "", allowed);
    static Arg Range(string name) => new(name, Kind.DoublePair, v => v is double[] { Length: 2 } a && a[0] <= a[1], "[min, max] with min <= max");

    static readonly Entry[] Entries =
    [
        new("to_tensor", Stage.Uint8, [], _ => new ToTensor()),
        new("normalize", Stage.Float, [new("mean", Kind.DoubleOrList), NonNegative("std", Kind.DoubleOrList)],
            a => new Normalize(a.Doubles("mean", [0.0]), a.Doubles("std", [1.0]))),
        new("random_crop", Stage.Any, [Positive("size", Kind.IntOrPair), NonNegative("padding", Kind.IntOrList), new("pad_if_needed", Kind.Bool), new("fill", Kind.Double), Choice("padding_mode", PaddingModes)],
            a => new RandomCrop(a.Size("size"), a.Has("padding") ? a.Ints("padding") : null, a.Bool("pad_if_needed", false), a.Double("fill", 0), a.Enum("padding_mode", PaddingMode.Constant))),
        new("center_crop", Stage.Any, [Positive("size", Kind.IntOrPair)], a => new CenterCrop(a.Size("size"))),
        new("resize", Stage.Any, [Positive("size", Kind.IntOrPair), Choice("interpolation", Interpolations), new("antialias", Kind.Bool)],
            a => new Resize(a.Size("size"), a.Enum("interpolation", Interpolation.Bilinear), a.Bool("antialias", true))),
        new("random_resized_crop", Stage.Any, [Positive("size", Kind.IntOrPair), Range("scale"), Range("ratio"), Choice("interpolation", Interpolations), new("antialias", Kind.Bool)],
            a => new RandomResizedCrop(a.Size("size"), a.Pair("scale"), a.Pair("ratio"), a.Enum("interpolation", Interpolation.Bilinear), a.Bool("antialias", true))),
        new("random_horizontal_flip", Stage.Any, [Probability()], a => new RandomHorizontalFlip(a.Double("p", 0.5))),
        new("random_vertical_flip", Stage.Any, [Probability()], a => new RandomVerticalFlip(a.Double("p", 0.5))),
        new("random_rotation", Stage.Any, [new("degrees", Kind.DoubleOrPair), Choice("interpolation", Interpolations), new("expand", Kind.Bool), new("fill", Kind.DoubleOrList)],
            a => a.Get("degrees") is double[] d
                ? new RandomRotation((d[0], d[1]), a.Enum("interpolation", Interpolation.Nearest), a.Bool("expand", false), null, a.Has("fill") ? a.Doubles("fill", []) : null)
                : new RandomRotation(a.Double("degrees", 0), a.Enum("interpolation", Interpolation.Nearest), a.Bool("expand", false), null, a.Has("fill") ? a.Doubles("fill", []) : null)),
        // p: torchvision's RandomApply([ColorJitter(...)], p) (SimCLR's jitter with p 0.8), one draw per sample; 1: always.
        new("color_jitter", Stage.Any, [NonNegative("brightness"), NonNegative("contrast"), NonNegative("saturation"), new("hue", Kind.Double, v => (double)v is >= 0 and <= 0.5, "a value in [0, 0.5]"), Probability()],
            a => ColorJitterStep(new ColorJitter(a.Double("brightness", 0), a.Double("contrast", 0), a.Double("saturation", 0), a.Double("hue", 0)), a.Double("p", 1.0))),
        new("random_grayscale", Stage.Any, [Probability()], a => new RandomGrayscale(a.Double("p", 0.1))),
        new("gaussian_blur", Stage.Any, [Positive("kernel_size", Kind.IntOrPair), Range("sigma")],
            a => a.Get("kernel_size") is int[] { Length: 2 } k ? new GaussianBlur((k[0], k[1]), a.Pair("sigma")) : new GaussianBlur(a.Int("kernel_size", 3), a.Pair("sigma"))),
        new("rand_augment", Stage.Uint8, [NonNegative("num_ops", Kind.Int), NonNegative("magnitude", Kind.Int), Positive("num_magnitude_bins"), Choice("interpolation", Interpolations), new("fill", Kind.DoubleOrList)],
            a => new RandAugment(a.Int("num_ops", 2), a.Int("magnitude", 9), a.Int("num_magnitude_bins", 31), a.Enum("interpolation", Interpolation.Nearest), a.Has("fill") ? a.Doubles("fill", []) : null)),
        new("trivial_augment_wide", Stage.Uint8, [Positive("num_magnitude_bins"), Choice("interpolation", Interpolations), new("fill", Kind.DoubleOrList)],
            a => new TrivialAugmentWide(a.Int("num_magnitude_bins", 31), a.Enum("interpolation", Interpolation.Nearest), a.Has("fill") ? a.Doubles("fill", []) : null)),
        new("random_erasing", Stage.Float, [Probability(), Range("scale"), Range("ratio"), new("value", Kind.Double), new("inplace", Kind.Bool)],
            a => new RandomErasing(a.Double("p", 0.5), a.Pair("scale"), a.Pair("ratio"), a.Double("value", 0), a.Bool("inplace", false))),
        new("cutout", Stage.Float, [Positive("size"), new("value", Kind.Double), Probability()],
            a => new Cutout(a.Int("size", 16), a.Double("value", 0), a.Double("p", 1.0))),
        new("gaussian_noise", Stage.Float, [new("mean", Kind.Double), NonNegative("sigma"), new("clip", Kind.Bool)],
            a => new GaussianNoise(a.Double("mean", 0), a.Double("sigma", 0.1), a.Bool("clip", true))),
    ];

    static ISampleTransform ColorJitterStep(ColorJitter jitter, double p) => p >= 1 ? jitter : new RandomApply([jitter], p);

    /// <summary>The transform names a recipe may use.</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Name).ToArray();

    internal static Entry? Find(string name) => Array.Find(Entries, e => e.Name == name);

    /// <summary>Builds one step (its arguments already checked by <see cref="Recipe.Validate"/>).</summary>
    public static ISampleTransform Build(TransformStep step) =>
        (Find(step.Name) ?? throw new ArgumentException($"transform '{step.Name}' is not known; allowed: {string.Join(", ", Names)}."))
            .Build(new TransformArguments(step.Arguments));

    /// <summary>Whether the transform works on float images (after to_tensor and normalize).</summary>
    internal static bool IsFloatStage(string name) => Find(name)?.Stage == Stage.Float;

    /// <summary>Binds one list item's arguments; null (with errors added) when the name or an argument is wrong.</summary>
    internal static TransformStep? Bind(string name, YamlNode? args, string path, RecipeBinder binder, RecipeErrors errors)
    {
        var entry = Find(name);
        if (entry is null)
        {
            errors.OneOf(path, name, Names, "transform");
            return null;
        }
        var values = new Dictionary<string, object>();
        if (args is null || RecipeBinder.IsNull(args)) return new TransformStep(name, values);
        if (args is not YamlMappingNode mapping)
        {
            errors.Add(path, $"{RecipeBinder.Describe(args)} is not a set of arguments; expected {{{string.Join(", ", entry.Args.Select(a => a.Name + ": ..."))}}}{RecipeBinder.At(args)}.");
            return null;
        }
        bool ok = true;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var arg = entry.Args.FirstOrDefault(a => a.Name == key);
            if (arg is null)
            {
                var near = Suggest.Closest(key, entry.Args.Select(a => a.Name));
                errors.Add($"{path}.{key}", $"unknown argument of {name}" + (near is null ? "" : $"; did you mean '{near}'?") +
                    $" ({name} takes {(entry.Args.Count == 0 ? "no arguments" : string.Join(", ", entry.Args.Select(a => a.Name)))}){RecipeBinder.At(keyNode)}.");
                ok = false;
                continue;
            }
            var value = Value(arg, valueNode, $"{path}.{key}", binder, errors);
            if (value is null) { ok = false; continue; }
            values[key] = value;
        }
        return ok ? new TransformStep(name, values) : null;
    }

    /// <summary>Range checks of a step's arguments (also for steps made in code).</summary>
    internal static void Validate(TransformStep step, string path, RecipeErrors errors)
    {
        var entry = Find(step.Name);
        if (entry is null) { errors.OneOf(path, step.Name, Names, "transform"); return; }
        foreach (var (key, value) in step.Arguments)
        {
            var arg = entry.Args.FirstOrDefault(a => a.Name == key);
            if (arg is null) errors.Add($"{path}.{key}", $"unknown argument of {step.Name} ({step.Name} takes {string.Join(", ", entry.Args.Select(a => a.Name))}).");
            else if (arg.Allowed is not null) errors.OneOf($"{path}.{key}", value as string, arg.Allowed, key.Replace('_', ' '));
            else if (arg.Valid is not null && !arg.Valid(value)) errors.Check(false, $"{path}.{key}", value, arg.Expected);
        }
    }

    /// <summary>
    /// uint8 transforms (rand_augment, trivial_augment_wide) cannot follow float ones (random_erasing,
    /// gaussian_noise, cutout) or an explicit to_tensor: they would get images they do not take.
    /// </summary>
    internal static void CheckOrder(IReadOnlyList<TransformStep> steps, string path, RecipeErrors errors)
    {
        string? floatSeen = null;
        for (int i = 0; i < steps.Count; i++)
        {
            var entry = Find(steps[i].Name);
            if (entry is null) continue;
            if (entry.Stage == Stage.Uint8 && floatSeen is not null && entry.Name != "to_tensor")
                errors.Add($"{path}[{i}].{entry.Name}", $"works on uint8 images but comes after {floatSeen}, which makes them float; move it before {floatSeen}.");
            if (entry.Stage == Stage.Float || entry.Name == "to_tensor") floatSeen ??= entry.Name;
        }
    }

    static object? Value(Arg arg, YamlNode node, string path, RecipeBinder binder, RecipeErrors errors)
    {
        object? v;
        switch (arg.Kind)
        {
            case Kind.Int: return binder.TryScalar(typeof(int), node, path, out v) ? v : null;
            case Kind.Double: return binder.TryScalar(typeof(double), node, path, out v) ? v : null;
            case Kind.Bool: return binder.TryScalar(typeof(bool), node, path, out v) ? v : null;
            case Kind.Text: return binder.TryScalar(typeof(string), node, path, out v) ? v : null;
        }
        bool integral = arg.Kind is Kind.IntOrPair or Kind.IntOrList;
        var element = integral ? typeof(int) : typeof(double);
        if (node is YamlScalarNode)
        {
            if (arg.Kind == Kind.DoublePair) { errors.Add(path, $"{RecipeBinder.Describe(node)} is not a pair; expected {arg.Expected}{RecipeBinder.At(node)}."); return null; }
            return binder.TryScalar(element, node, path, out v) ? v : null;
        }
        if (node is not YamlSequenceNode sequence) { errors.Add(path, $"{RecipeBinder.Describe(node)} is not a value or a list{RecipeBinder.At(node)}."); return null; }
        var items = new List<object>();
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            if (!binder.TryScalar(element, sequence.Children[i], $"{path}[{i}]", out v)) return null;
            items.Add(v!);
        }
        if (arg.Kind is Kind.IntOrPair or Kind.DoublePair or Kind.DoubleOrPair && items.Count != 2)
        {
            errors.Add(path, $"has {items.Count} values; expected one value or a pair{RecipeBinder.At(node)}.");
            return null;
        }
        return integral ? items.Cast<int>().ToArray() : items.Cast<double>().ToArray();
    }
}
