using Kindling.Config;

namespace Kindling.Tuning;

/// <summary>A recipe with its <c>auto</c> values chosen, what chose them and how.</summary>
/// <param name="Recipe">The recipe with numbers in place of <c>auto</c>.</param>
/// <param name="Notes">One line per value chosen: the number and how (for the run's output and config.yaml).</param>
/// <param name="LrFind">The range test behind <c>optimizer.lr: auto</c>, or null.</param>
/// <param name="BatchSize">The search behind <c>data.batch_size: auto</c>, or null.</param>
public sealed record TunedRecipe(Recipe Recipe, IReadOnlyList<string> Notes, LrFinderResult? LrFind, BatchSizeResult? BatchSize);
