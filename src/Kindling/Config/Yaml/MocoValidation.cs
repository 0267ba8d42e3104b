using Kindling.SelfSupervised;

namespace Kindling.Config.Yaml;

/// <summary>
/// The <c>moco</c> section's checks (task: moco). The section binds straight to <see cref="MocoOptions"/>
/// (its keys are the options' own names), so only the ranges live here; the checks against the batch size
/// (queue, shuffle-BN groups) are made when the task is built (Config/Runs/SelfSupervisedParts).
/// </summary>
internal static class MocoValidation
{
    public static void Validate(MocoOptions o, RecipeErrors e, string path)
    {
        e.Check(o.Queue >= 1, path + ".queue", o.Queue, ">= 1 negatives (MoCo's CIFAR-10 demo: 4096)");
        e.Check(o.Momentum is >= 0 and <= 1, path + ".momentum", o.Momentum, "a momentum in [0, 1] (MoCo: 0.99..0.999)");
        e.Check(o.Temperature > 0, path + ".temperature", o.Temperature, "a temperature > 0 (MoCo v2: 0.2)");
        e.Check(o.ProjectionDim >= 1, path + ".projection_dim", o.ProjectionDim, ">= 1 (MoCo: 128)");
        e.Check(o.Hidden is null or >= 1, path + ".hidden", o.Hidden, ">= 1, or null for the encoder's feature width");
        e.Check(o.ShuffleBnGroups >= 1, path + ".shuffle_bn_groups", o.ShuffleBnGroups, ">= 1 (1: no shuffled BatchNorm)");
    }
}
