using System.Globalization;
using System.Reflection;
using Kindling.Config.Runs;
using Kindling.Config.Sections;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kindling.Config.Yaml;

/// <summary>
/// Binds a YAML node tree to the recipe records, strictly: an unknown key, a value of the wrong
/// type or a malformed list is an error with its full path; binding goes on so every error is
/// reported at once. Types come from the records, never from the YAML (a quoted "1e-3" is a
/// string, not a number), so what a key means never depends on how its value happens to look.
/// </summary>
internal sealed class RecipeBinder(RecipeErrors errors)
{
    public object Bind(Type section, YamlNode? node, string path)
    {
        var target = Activator.CreateInstance(section)!;
        if (node is null || IsNull(node)) return target;
        if (node is not YamlMappingNode mapping)
        {
            errors.Add(Display(path), $"{Describe(node)} is not a section; expected keys: {string.Join(", ", RecipeSchema.Keys(section).Select(k => k.Key))}.");
            return target;
        }
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? keyNode.ToString();
            var child = Join(path, key);
            var property = RecipeSchema.Find(section, key);
            if (property is null)
            {
                var known = RecipeSchema.Keys(section).Select(k => k.Key).ToList();
                var near = Suggest.Closest(key, known);
                errors.Add(child, "unknown key" + (near is null ? "" : $"; did you mean '{Join(path, near)}'?") + $" (known keys{(path.Length == 0 ? "" : " of " + path)}: {string.Join(", ", known)}){At(keyNode)}.");
                continue;
            }
            if (RecipeSchema.AutoFlag(property) is { } flag && value is YamlScalarNode { Value: "auto", Style: ScalarStyle.Plain or ScalarStyle.Any })
            {
                flag.SetValue(target, true);
                continue;
            }
            if (TryValue(property.PropertyType, RecipeSchema.IsNullable(property), value, child, out var bound))
            {
                property.SetValue(target, bound);
                // A value given for a key that defaults to auto replaces the auto.
                RecipeSchema.AutoFlag(property)?.SetValue(target, false);
            }
        }
        return target;
    }

    bool TryValue(Type type, bool nullable, YamlNode node, string path, out object? value)
    {
        value = null;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (IsNull(node))
        {
            if (nullable) return true;
            errors.Add(path, $"null is not allowed; expected {Expected(underlying)}{At(node)}.");
            return false;
        }
        if (RecipeSchema.IsSection(underlying))
        {
            value = Bind(underlying, node, path);
            return true;
        }
        if (underlying == typeof(ChannelValues))
        {
            if (node is YamlScalarNode { Value: "auto" }) { value = ChannelValues.Auto; return true; }
            if (TryValue(typeof(IReadOnlyList<double>), false, node, path, out var list)) { value = new ChannelValues { Values = (IReadOnlyList<double>)list! }; return true; }
            return false;
        }
        if (underlying == typeof(ClassWeightValues))
        {
            if (node is YamlScalarNode { Value: "balanced" }) { value = ClassWeightValues.Balanced; return true; }
            if (TryValue(typeof(IReadOnlyList<double>), false, node, path, out var weights)) { value = new ClassWeightValues { Values = (IReadOnlyList<double>)weights! }; return true; }
            return false;
        }
        if (underlying == typeof(IReadOnlyList<TransformStep>)) return TryTransforms(node, path, out value);
        if (underlying == typeof(IReadOnlyList<double>) || underlying == typeof(IReadOnlyList<int>) || underlying == typeof(IReadOnlyList<string>))
        {
            var element = underlying.GetGenericArguments()[0];
            if (node is not YamlSequenceNode sequence)
            {
                errors.Add(path, $"{Describe(node)} is not a list; expected {Expected(underlying)}{At(node)}.");
                return false;
            }
            var items = Array.CreateInstance(element, sequence.Children.Count);
            bool ok = true;
            for (int i = 0; i < sequence.Children.Count; i++)
            {
                if (TryScalar(element, sequence.Children[i], $"{path}[{i}]", out var item)) items.SetValue(item, i);
                else ok = false;
            }
            value = items;
            return ok;
        }
        return TryScalar(underlying, node, path, out value);
    }

    /// <summary>int, long, double, bool or string from a scalar; numbers and booleans must be plain (unquoted).</summary>
    internal bool TryScalar(Type type, YamlNode node, string path, out object? value)
    {
        value = null;
        if (node is not YamlScalarNode scalar)
        {
            errors.Add(path, $"{Describe(node)} is not a single value; expected {Expected(type)}{At(node)}.");
            return false;
        }
        var text = scalar.Value ?? "";
        bool plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
        if (type == typeof(string)) { value = text; return true; }
        if (type.IsEnum)
        {
            var names = Enum.GetValues(type).Cast<object>().ToDictionary(RecipeSchema.EnumKey);
            if (names.TryGetValue(text, out value)) return true;
            errors.OneOf(path, text, names.Keys, RecipeSchema.SnakeCase(type.Name).Replace('_', ' '));
            return false;
        }
        if (plain)
        {
            if (type == typeof(int) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i)) { value = i; return true; }
            if (type == typeof(long) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) { value = l; return true; }
            if (type == typeof(double) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) { value = d; return true; }
            // PyTorch spells it float('inf') and YAML .inf; range checks decide where infinity is allowed (a norm type).
            if (type == typeof(double) && text.ToLowerInvariant() is "inf" or ".inf" or "+inf" or "+.inf" or "infinity") { value = double.PositiveInfinity; return true; }
            if (type == typeof(bool) && text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE") { value = text.StartsWith('t') || text.StartsWith('T'); return true; }
        }
        errors.Add(path, $"{Describe(node)} is not {Expected(type)}{At(node)}.");
        return false;
    }

    bool TryTransforms(YamlNode node, string path, out object? value)
    {
        value = null;
        if (node is not YamlSequenceNode sequence)
        {
            errors.Add(path, $"{Describe(node)} is not a list; expected a list of transforms such as [random_horizontal_flip, {{random_crop: {{size: 32, padding: 4}}}}]{At(node)}.");
            return false;
        }
        var steps = new List<(TransformStep Step, string Path)>();
        bool ok = true;
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            var item = sequence.Children[i];
            var itemPath = $"{path}[{i}]";
            string? name = null;
            YamlNode? args = null;
            if (item is YamlScalarNode s && !IsNull(s)) name = s.Value;
            else if (item is YamlMappingNode { Children.Count: 1 } m)
            {
                name = (m.Children.First().Key as YamlScalarNode)?.Value;
                args = m.Children.First().Value;
            }
            if (name is null)
            {
                errors.Add(itemPath, $"{Describe(item)} is not a transform; expected a name or one name with its arguments, e.g. random_crop: {{size: 32, padding: 4}}{At(item)}.");
                ok = false;
                continue;
            }
            if (TransformCatalog.Bind(name, args, $"{itemPath}.{name}", this, errors) is { } step) steps.Add((step, $"{itemPath}.{name}"));
            else ok = false;
        }
        if (ok)
        {
            value = steps.Select(s => s.Step).ToList();
            return true;
        }
        // The list is left unset, so the recipe's own validation will not see it: check the items that did bind here, under their own index.
        foreach (var (step, stepPath) in steps) TransformCatalog.Validate(step, stepPath, errors);
        return false;
    }

    internal static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    internal static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted } s => $"\"{s.Value}\"",
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => node.ToString(),
    };

    internal static string At(YamlNode node) => node.Start.Line > 0 ? $" (line {node.Start.Line})" : "";

    static string Expected(Type type) =>
        type == typeof(int) || type == typeof(long) ? "an integer"
        : type == typeof(double) ? "a number such as 0.001"
        : type == typeof(bool) ? "true or false"
        : type == typeof(string) ? "a string"
        : type == typeof(IReadOnlyList<double>) ? "a list of numbers such as [0.9, 0.999]"
        : type == typeof(IReadOnlyList<int>) ? "a list of integers such as [30, 60]"
        : type == typeof(IReadOnlyList<string>) ? "a list of names"
        : type == typeof(ChannelValues) ? "auto or a list of numbers (one per channel)"
        : type == typeof(ClassWeightValues) ? "balanced or a list of numbers (one per class)"
        : RecipeSchema.IsSection(type) ? $"a section with keys {string.Join(", ", RecipeSchema.Keys(type).Select(k => k.Key))}"
        : type.Name;

    static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    static string Display(string path) => path.Length == 0 ? "recipe" : path;
}
