using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>The <c>batch_mix</c> section: mixup and CutMix on whole batches (timm's <c>Mixup</c> arguments); both alphas 0 turn it off.</summary>
public sealed record BatchMixRecipe
{
    /// <summary>mixup's Beta concentration; 0: no mixup.</summary>
    public double MixupAlpha { get; init; }

    /// <summary>CutMix's Beta concentration; 0: no CutMix.</summary>
    public double CutmixAlpha { get; init; }

    /// <summary>With both on: probability of CutMix rather than mixup for a batch.</summary>
    public double SwitchProb { get; init; } = 0.5;

    /// <summary>Probability of mixing a batch at all.</summary>
    public double Prob { get; init; } = 1.0;

    /// <summary>Whether any mixing is on.</summary>
    public bool Enabled => MixupAlpha > 0 || CutmixAlpha > 0;

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(MixupAlpha >= 0, path + ".mixup_alpha", MixupAlpha, ">= 0 (0 turns mixup off)");
        e.Check(CutmixAlpha >= 0, path + ".cutmix_alpha", CutmixAlpha, ">= 0 (0 turns CutMix off)");
        e.Check(SwitchProb is >= 0 and <= 1, path + ".switch_prob", SwitchProb, "a probability in [0, 1]");
        e.Check(Prob is >= 0 and <= 1, path + ".prob", Prob, "a probability in [0, 1]");
    }
}
