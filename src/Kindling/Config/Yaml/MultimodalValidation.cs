using Kindling.SelfSupervised.Multimodal;

namespace Kindling.Config.Yaml;

/// <summary>
/// The <c>multimodal</c> section's checks (task: multimodal). The section binds straight to <see cref="MultimodalOptions"/>
/// (its keys are the options' own names), so only the ranges live here.
/// </summary>
internal static class MultimodalValidation
{
    public static void Validate(MultimodalOptions o, RecipeErrors e, string path)
    {
        e.Check(o.EmbedDim >= 1, path + ".embed_dim", o.EmbedDim, "a width >= 1");
        e.Check(o.ImageWidth >= 1, path + ".image_width", o.ImageWidth, "a channel count >= 1");
        e.Check(o.TextDim >= 1 && o.TextHeads >= 1 && o.TextDim % o.TextHeads == 0, path + ".text_dim", o.TextDim, $"a multiple of text_heads ({o.TextHeads})");
        e.Check(o.TextDepth >= 1, path + ".text_depth", o.TextDepth, "at least 1 block");
        e.Check(o.TextHeads >= 1, path + ".text_heads", o.TextHeads, "at least 1 head");
        e.Check(o.Margin > 0 && o.Margin <= 2, path + ".margin", o.Margin, "a margin in (0, 2] (unit vectors are at most 2 apart)");
    }
}
