namespace Kindling.Cli;

/// <summary>Finds the shipped recipes (configs/) from the current folder or the checkout the CLI was built in.</summary>
static class RecipeLocator
{
    public const string DefaultRecipe = "fashion-mnist-fast.yaml";

    /// <summary>configs/<paramref name="file"/> in the current folder, or in the first parent of the CLI's folder that has one.</summary>
    public static string Find(string file = DefaultRecipe)
    {
        var local = Path.Combine("configs", file);
        if (File.Exists(local)) return local;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "configs", file);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"the default recipe configs/{file} was not found here or above {AppContext.BaseDirectory}; pass one with --config FILE.");
    }
}
