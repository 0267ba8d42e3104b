using System.ComponentModel;
using Kindling.Config;
using Kindling.Reporting;
using Spectre.Console.Cli;

namespace Kindling.Cli;

/// <summary>The options of a command that works on a recipe: --config (default: the shipped default recipe) and --set.</summary>
class RecipeSettings : CommandSettings
{
    [CommandOption("--config <FILE>")]
    [Description("Recipe YAML (default: configs/fashion-mnist-fast.yaml).")]
    public string? Config { get; init; }

    [CommandOption("--set <KEY=VALUE>")]
    [Description("Override a recipe key, e.g. --set optimizer.name=adamw (repeatable).")]
    public string[] Set { get; init; } = [];

    /// <summary>The recipe file: --config, or the default recipe.</summary>
    public string RecipePath => Config ?? RecipeLocator.Find();

    /// <summary>The recipe with the overrides applied.</summary>
    public Recipe LoadRecipe() => Recipe.Load(RecipePath, Set);

    /// <summary>The folder a recipe tool writes to, created: <paramref name="outDir"/>, or runs/&lt;recipe&gt;-&lt;tool&gt;-&lt;time&gt;.</summary>
    public string ToolFolder(string? outDir, string tool)
    {
        var folder = outDir ?? RunFolder.NewPath("runs", Path.GetFileNameWithoutExtension(RecipePath) + "-" + tool);
        Directory.CreateDirectory(folder);
        return folder;
    }
}
