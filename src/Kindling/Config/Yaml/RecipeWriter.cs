using System.Globalization;
using Kindling.Config.Sections;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Kindling.Config.Yaml;

/// <summary>Writes a recipe back to YAML with every key, defaults included, so a run folder's config.yaml says exactly what ran.</summary>
internal static class RecipeWriter
{
    public static string Write(Recipe recipe)
    {
        var stream = new YamlStream(new YamlDocument(Section(recipe)));
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(text, assignAnchors: false);
        // YamlStream ends documents with "...": not wanted in a config file.
        var s = text.ToString();
        return s.EndsWith("...\n", StringComparison.Ordinal) || s.EndsWith("..." + Environment.NewLine, StringComparison.Ordinal) ? s[..s.LastIndexOf("...", StringComparison.Ordinal)] : s;
    }

    static YamlMappingNode Section(object section)
    {
        var node = new YamlMappingNode();
        foreach (var (key, property) in RecipeSchema.Keys(section.GetType()))
            node.Add(key, RecipeSchema.AutoFlag(property)?.GetValue(section) is true ? Plain("auto") : Value(property.GetValue(section)));
        return node;
    }

    static YamlNode Value(object? value) => value switch
    {
        null => Plain("null"),
        ChannelValues { IsAuto: true } => Plain("auto"),
        ChannelValues c => Flow(c.Values.Select(v => Value(v))),
        ClassWeightValues { IsBalanced: true } => Plain("balanced"),
        ClassWeightValues w => Flow(w.Values.Select(v => Value(v))),
        IReadOnlyList<TransformStep> steps => new YamlSequenceNode(steps.Select(Step)),
        string s => s is "" or "~" or "null" or "Null" or "NULL" ? new YamlScalarNode(s) { Style = ScalarStyle.DoubleQuoted } : new YamlScalarNode(s),
        bool b => Plain(b ? "true" : "false"),
        Enum e => Plain(RecipeSchema.EnumKey(e)),
        double d => Plain(Number(d)),
        int or long => Plain(Convert.ToString(value, CultureInfo.InvariantCulture)!),
        System.Collections.IEnumerable list => Flow(list.Cast<object?>().Select(Value)),
        _ when RecipeSchema.IsSection(value.GetType()) => Section(value),
        _ => throw new InvalidOperationException($"cannot write a {value.GetType().Name} to a recipe."),
    };

    static YamlNode Step(TransformStep step)
    {
        if (step.Arguments.Count == 0) return new YamlScalarNode(step.Name);
        var args = new YamlMappingNode { Style = MappingStyle.Flow };
        foreach (var (key, value) in step.Arguments) args.Add(key, Value(value));
        return new YamlMappingNode { { step.Name, args } };
    }

    // "R" keeps every digit, so a written recipe reads back to the same doubles.
    static string Number(double d) => double.IsPositiveInfinity(d) ? "inf" : d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);

    static YamlScalarNode Plain(string text) => new(text) { Style = ScalarStyle.Plain };

    static YamlSequenceNode Flow(IEnumerable<YamlNode> items) => new(items) { Style = SequenceStyle.Flow };
}
