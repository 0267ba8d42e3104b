using System.Reflection;

namespace Kindling.Tests;

/// <summary>Runs the kindling CLI (or the bench program) in-process through its entry point (tests using it join the "Console" collection).</summary>
static class CliRunner
{
    /// <summary>Returns the exit code and what the command printed to stdout and stderr.</summary>
    public static (int Code, string Out, string Error) Kindling(params string[] args) => Run("Kindling.Cli", args);

    /// <summary>`kindling bench ARGS`: the bench program (bench/Kindling.Bench) the checkout's script forwards to.</summary>
    public static (int Code, string Out, string Error) Bench(params string[] args) => Run("Kindling.Bench", args);

    static (int Code, string Out, string Error) Run(string assembly, string[] args)
    {
        var entry = Assembly.Load(assembly).EntryPoint!;
        var (oldOut, oldError) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = (int)entry.Invoke(null, [args])!;
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}
