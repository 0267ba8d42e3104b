using YamlDotNet.RepresentationModel;

namespace Kindling.Config.Yaml;

/// <summary>
/// <c>--set key.path=value</c>: the value is read as YAML (a scalar, or a flow list or mapping such
/// as <c>[]</c> or <c>{decay: 0.999}</c>) and replaces the key in the node tree before binding, so
/// an override is checked exactly as if it had been written in the file.
/// </summary>
internal static class RecipeOverrides
{
    public static void Apply(YamlMappingNode root, string assignment, RecipeErrors errors)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0)
        {
            errors.Add($"--set {assignment}", "expected key.path=value, e.g. --set optimizer.lr=3e-3.");
            return;
        }
        var path = assignment[..eq].Trim();
        var text = assignment[(eq + 1)..];
        var keys = path.Split('.');
        Type section = typeof(Recipe);
        var node = root;
        for (int i = 0; i < keys.Length; i++)
        {
            var prefix = string.Join('.', keys[..i]);
            var property = RecipeSchema.Find(section, keys[i]);
            if (property is null)
            {
                var known = RecipeSchema.Keys(section).Select(k => k.Key).ToList();
                var near = Suggest.Closest(keys[i], known);
                errors.Add($"--set {path}", $"'{keys[i]}' is not a key{(prefix.Length == 0 ? "" : " of " + prefix)}" +
                    (near is null ? "" : $"; did you mean '{(prefix.Length == 0 ? near : prefix + "." + near)}'?") + $" (known keys: {string.Join(", ", known)}).");
                return;
            }
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (i == keys.Length - 1)
            {
                if (Parse(text, path, errors) is { } value) node.Children[new YamlScalarNode(keys[i])] = value;
                return;
            }
            if (!RecipeSchema.IsSection(type))
            {
                errors.Add($"--set {path}", $"{string.Join('.', keys[..(i + 1)])} is a value, not a section; set it whole (--set {string.Join('.', keys[..(i + 1)])}=...).");
                return;
            }
            var key = new YamlScalarNode(keys[i]);
            // A section that is absent or null (ema, early_stopping, lookahead) is created by setting one of its keys.
            if (!node.Children.TryGetValue(key, out var child) || child is not YamlMappingNode mapping)
            {
                mapping = new YamlMappingNode();
                node.Children[key] = mapping;
            }
            node = mapping;
            section = type;
        }
    }

    // An unclosed list or mapping ("[0.2", "{name: sgd") is the usual slip; the value is one line, so the column is what helps.
    static YamlNode? Parse(string text, string path, RecipeErrors errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            // The value is one line: a place past its end (line 2) means it ended before a list or mapping was closed.
            var where = e.Start.Line > 1 ? "it ends before a list or mapping is closed" : $"at column {e.Start.Column}";
            errors.Add($"--set {path}", $"'{text}' is not valid YAML ({where}): {e.InnerException?.Message ?? e.Message} " +
                "Close a list with ']' and a mapping with '}', e.g. [0.1, 0.2] or {name: sgd}.");
            return null;
        }
        return stream.Documents.Count == 0 ? new YamlScalarNode("") : stream.Documents[0].RootNode;
    }
}
