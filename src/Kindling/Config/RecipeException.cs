namespace Kindling.Config;

/// <summary>
/// A recipe that cannot run: every problem found, one line each, with the key's path, the bad
/// value and what was expected. Thrown before anything is built or trained.
/// </summary>
public sealed class RecipeException : ArgumentException
{
    /// <param name="source">The recipe file (or "recipe" when it came from text).</param>
    /// <param name="errors">One line per problem.</param>
    public RecipeException(string source, IReadOnlyList<string> errors)
        : base($"{source}: {errors.Count} problem{(errors.Count == 1 ? "" : "s")}:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors))
    {
        Source = source;
        Errors = errors;
    }

    /// <summary>The recipe file, or "recipe".</summary>
    public new string Source { get; }

    /// <summary>One line per problem, each starting with the key's path.</summary>
    public IReadOnlyList<string> Errors { get; }
}
