using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using Kindling.Config.Sections;
using Kindling.Generative.PixelCnn;
using Kindling.Optim;
using Kindling.Optim.Schedulers;
using Kindling.SelfSupervised;
using Kindling.SelfSupervised.Multimodal;
using Kindling.Training;

namespace Kindling.Config.Yaml;

/// <summary>
/// The recipe's keys, read off the section records: a property's key is its name in snake case
/// (PyTorch's capitalised T_max, T_0, T_mult kept), so the C# records are the one place the schema
/// lives. Library options records whose names are already the recipe's keys (<see cref="ScheduleOptions"/>,
/// <see cref="LookaheadOptions"/>, <see cref="EarlyStoppingOptions"/>, <see cref="SimClrOptions"/>, <see cref="MocoOptions"/>,
/// <see cref="PixelCnnOptions"/>, <see cref="MultimodalOptions"/>) are sections themselves rather than copied into recipe
/// records; their range checks are the <c>*Validation</c> classes beside this one.
/// </summary>
internal static class RecipeSchema
{
    static readonly ConcurrentDictionary<Type, IReadOnlyList<(string Key, PropertyInfo Property)>> Cache = new();
    static readonly ConcurrentDictionary<PropertyInfo, bool> NullableCache = new();

    /// <summary>The library options records bound straight from a mapping, key by key.</summary>
    static readonly HashSet<Type> LibraryOptions =
    [
        typeof(ScheduleOptions), typeof(LookaheadOptions), typeof(EarlyStoppingOptions),
        typeof(SimClrOptions), typeof(MocoOptions), typeof(PixelCnnOptions), typeof(MultimodalOptions),
    ];

    /// <summary>A section is a recipe record (the recipe or one in Config/Sections) or a library options record bound from a mapping key by key.</summary>
    public static bool IsSection(Type type) =>
        type == typeof(Recipe) || LibraryOptions.Contains(type) ||
        (type.Namespace == typeof(TrainingRecipe).Namespace && type.Name.EndsWith("Recipe", StringComparison.Ordinal));

    /// <summary>PyTorch's argument names that are not plain snake case (and the pixelcnn section, one word as the model's name).</summary>
    static readonly Dictionary<string, string> PyTorchNames = new() { ["TMax"] = "T_max", ["T0"] = "T_0", ["TMult"] = "T_mult", ["PixelCnn"] = "pixelcnn" };

    /// <summary>The settable keys of a section, in declaration order.</summary>
    public static IReadOnlyList<(string Key, PropertyInfo Property)> Keys(Type section) => Cache.GetOrAdd(section, t =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true })
            .Select(p => (PyTorchNames.GetValueOrDefault(p.Name) ?? SnakeCase(p.Name), p))
            .ToArray());

    /// <summary>The property of <paramref name="key"/>, or null.</summary>
    public static PropertyInfo? Find(Type section, string key) =>
        Keys(section).FirstOrDefault(k => k.Key == key).Property;

    /// <summary>The bool property that records <c>auto</c> for a key marked <see cref="AutoValueAttribute"/>, or null.</summary>
    public static PropertyInfo? AutoFlag(PropertyInfo property) =>
        property.GetCustomAttribute<AutoValueAttribute>() is { } auto
            ? property.DeclaringType!.GetProperty(auto.Flag, BindingFlags.Public | BindingFlags.Instance) ?? throw new InvalidOperationException($"{property.DeclaringType.Name}.{auto.Flag} is missing.")
            : null;

    /// <summary>Whether the property may be null (Nullable&lt;T&gt; or an annotated reference).</summary>
    /// <remarks>A <see cref="NullabilityInfoContext"/> is not thread-safe (recipes are parsed on several threads at once), so each answer gets its own, once.</remarks>
    public static bool IsNullable(PropertyInfo property) => NullableCache.GetOrAdd(property, p =>
        Nullable.GetUnderlyingType(p.PropertyType) is not null || new NullabilityInfoContext().Create(p).WriteState == NullabilityState.Nullable);

    /// <summary>An enum value's recipe spelling: <c>Bf16Mixed</c> is <c>bf16_mixed</c>.</summary>
    public static string EnumKey(object value) => SnakeCase(value.ToString()!);

    public static string SnakeCase(string name)
    {
        var s = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) s.Append('_');
            s.Append(char.ToLowerInvariant(name[i]));
        }
        return s.ToString();
    }
}
