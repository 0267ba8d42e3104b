using Kindling.SelfSupervised;

namespace Kindling.Config.Yaml;

/// <summary>
/// The <c>simclr</c> section's checks (task: simclr). The section binds straight to <see cref="SimClrOptions"/>
/// (its keys are the options' own names), so only the ranges live here.
/// </summary>
internal static class SimClrValidation
{
    public static void Validate(SimClrOptions o, RecipeErrors e, string path)
    {
        e.Check(o.ProjectionDim >= 1, path + ".projection_dim", o.ProjectionDim, ">= 1 (SimCLR: 128)");
        e.Check(o.Hidden is null or >= 1, path + ".hidden", o.Hidden, ">= 1, or null for the encoder's feature width");
        e.Check(o.Temperature > 0, path + ".temperature", o.Temperature, "a temperature > 0 (SimCLR: 0.5 on CIFAR-10)");
    }
}
