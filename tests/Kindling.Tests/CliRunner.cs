using System.Reflection;

namespace Kindling.Tests;

/// <summary>Runs the kindling CLI in-process through its entry point (tests using it join the "Console" collection).</summary>
static class CliRunner
{
    /// <summary>Returns the exit code and what the command printed to stdout and stderr.</summary>
    public static (int Code, string Out, string Error) Kindling(params string[] args)
    {
        var entry = Assembly.Load("Kindling.Cli").EntryPoint!;
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
