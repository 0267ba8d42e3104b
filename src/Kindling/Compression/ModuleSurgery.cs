using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Compression;

/// <summary>
/// Finds and replaces submodules by their dotted <c>named_modules()</c> path, in place. TorchSharp has no
/// <c>setattr</c>: a Kindling model calls its submodules through its own fields and a Sequential through
/// its private list, so a replacement must update both the field (or list slot) and the registration that
/// <c>state_dict</c>, <c>named_modules</c> and <c>train()</c> read. The replacement keeps the name and
/// its position in the registration order.
/// </summary>
public static class ModuleSurgery
{
    const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>The submodule at <paramref name="path"/> (e.g. <c>layer1.0.conv1</c>).</summary>
    /// <exception cref="ArgumentException">No submodule has that path.</exception>
    public static nn.Module Get(nn.Module root, string path)
    {
        foreach (var (name, module) in root.named_modules())
            if (name == path) return module;
        throw new ArgumentException($"The model has no submodule '{path}'.", nameof(path));
    }

    /// <summary>
    /// Puts <paramref name="replacement"/> where <paramref name="path"/> was, and returns the module it
    /// replaced (the caller owns it: dispose it when done). The replacement takes the old module's
    /// training mode.
    /// </summary>
    /// <exception cref="ArgumentException">No submodule has that path.</exception>
    /// <exception cref="NotSupportedException">The parent holds the module in a way that cannot be rewritten.</exception>
    public static nn.Module Replace(nn.Module root, string path, nn.Module<Tensor, Tensor> replacement)
    {
        int dot = path.LastIndexOf('.');
        var parent = dot < 0 ? root : Get(root, path[..dot]);
        string name = path[(dot + 1)..];
        var old = Get(root, path);
        replacement.train(old.training);
        if (parent is Sequential sequential) ReplaceInSequential(sequential, old, replacement);
        else ReplaceInModule(parent, name, old, replacement);
        return old;
    }

    static void ReplaceInSequential(Sequential sequential, nn.Module old, nn.Module<Tensor, Tensor> replacement)
    {
        // Sequential keeps its children in a private list that both forward and named_modules read.
        var field = typeof(Sequential).GetField("_modules", Instance)
            ?? throw new NotSupportedException("This TorchSharp version's Sequential has no _modules list; module replacement needs updating.");
        var list = (List<nn.IModule<Tensor, Tensor>>)field.GetValue(sequential)!;
        int index = list.FindIndex(m => ReferenceEquals(m, old));
        if (index < 0) throw new NotSupportedException("The module was not found in its Sequential's list.");
        list[index] = replacement;
    }

    static void ReplaceInModule(nn.Module parent, string name, nn.Module old, nn.Module<Tensor, Tensor> replacement)
    {
        // The fields the parent's forward calls through: every one that holds the old module.
        bool found = false;
        for (var type = parent.GetType(); type is not null && type != typeof(nn.Module); type = type.BaseType)
            foreach (var f in type.GetFields(Instance | BindingFlags.DeclaredOnly))
                if (ReferenceEquals(f.GetValue(parent), old))
                {
                    if (!f.FieldType.IsInstanceOfType(replacement))
                        throw new NotSupportedException(
                            $"{parent.GetType().Name}.{f.Name} is typed {f.FieldType.Name}; a {replacement.GetType().Name} cannot be put there.");
                    f.SetValue(parent, replacement);
                    found = true;
                }
        if (!found)
            throw new NotSupportedException($"{parent.GetType().Name} does not hold its submodule '{name}' in a field; it cannot be replaced.");
        // The registration (state_dict, named_modules, train/eval); the indexer keeps the position.
        var registry = typeof(nn.Module).GetField("_internal_submodules", Instance)
            ?? throw new NotSupportedException("This TorchSharp version's Module has no _internal_submodules; module replacement needs updating.");
        var modules = (TorchSharp.Utils.OrderedDict<string, nn.Module>)registry.GetValue(parent)!;
        modules[name] = replacement;
    }
}
