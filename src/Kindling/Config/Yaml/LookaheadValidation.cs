using Kindling.Optim;

namespace Kindling.Config.Yaml;

/// <summary>
/// The <c>optimizer.lookahead</c> section's checks. The section binds straight to <see cref="LookaheadOptions"/>
/// (its keys are the options' own names), so only the ranges live here.
/// </summary>
internal static class LookaheadValidation
{
    public static void Validate(LookaheadOptions o, RecipeErrors e, string path)
    {
        e.Check(o.K >= 1, path + ".k", o.K, ">= 1");
        e.Check(o.Alpha is > 0 and <= 1, path + ".alpha", o.Alpha, "a value in (0, 1]");
    }
}
