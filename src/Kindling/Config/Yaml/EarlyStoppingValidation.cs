using Kindling.Training;

namespace Kindling.Config.Yaml;

/// <summary>
/// The <c>training.early_stopping</c> section's checks. The section binds straight to <see cref="EarlyStoppingOptions"/>;
/// its monitor is checked against the task's metrics with the recipe's other monitors.
/// </summary>
internal static class EarlyStoppingValidation
{
    public static void Validate(EarlyStoppingOptions o, RecipeErrors e, string path)
    {
        e.OneOf(path + ".mode", o.Mode, ["min", "max"], "mode");
        e.Check(o.Patience >= 1, path + ".patience", o.Patience, ">= 1");
        e.Check(o.MinDelta >= 0, path + ".min_delta", o.MinDelta, ">= 0");
    }
}
