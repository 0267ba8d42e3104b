using Kindling.Generative.PixelCnn;

namespace Kindling.Config.Yaml;

/// <summary>
/// The <c>pixelcnn</c> section's checks (task: pixelcnn). The section binds straight to <see cref="PixelCnnOptions"/>
/// (its keys are the options' own names; the defaults are the seed's network), so only the ranges live here.
/// </summary>
internal static class PixelCnnValidation
{
    public static void Validate(PixelCnnOptions o, RecipeErrors e, string path)
    {
        e.Check(o.Layers >= 1, path + ".layers", o.Layers, ">= 1 (a type A layer, then type B ones)");
        e.Check(o.Channels >= 1, path + ".channels", o.Channels, ">= 1");
        e.Check(o.KernelSize >= 1 && o.KernelSize % 2 == 1, path + ".kernel_size", o.KernelSize, "an odd size >= 1 (the seed's is 7)");
        e.Check(o.Levels is >= 2 and <= 256, path + ".levels", o.Levels, "2 .. 256 pixel levels (256 for 8-bit images)");
    }
}
