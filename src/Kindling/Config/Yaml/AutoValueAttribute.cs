namespace Kindling.Config.Yaml;

/// <summary>
/// Marks a number key that also takes <c>auto</c>: a tuner picks the value before the run
/// (<see cref="Tools.RecipeTuning.Resolve"/>). The named bool property (not a key itself) records the
/// <c>auto</c>, the number keeps its default meanwhile, and the writer writes <c>auto</c> back.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class AutoValueAttribute(string flag) : Attribute
{
    /// <summary>The name of the bool property that says the key is auto.</summary>
    public string Flag { get; } = flag;
}
