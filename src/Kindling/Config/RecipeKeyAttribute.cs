namespace Kindling.Config;

/// <summary>
/// The YAML key of a recipe property when it is not the property's name in snake case
/// (PyTorch's own spellings such as <c>T_max</c> and <c>T_0</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RecipeKeyAttribute(string key) : Attribute
{
    /// <summary>The key as written in a recipe.</summary>
    public string Key { get; } = key;
}
