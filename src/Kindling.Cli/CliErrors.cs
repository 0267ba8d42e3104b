using Kindling.Runtime;
using Kindling.Training;
using Spectre.Console;

namespace Kindling.Cli;

/// <summary>Turns expected failures into one clear message and a non-zero exit code, never a stack trace.</summary>
static class CliErrors
{
    public const int Usage = 2;
    public const int Failure = 1;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (NativeLoadException e)
        {
            Console.Error.WriteLine(e.Message);
            return Failure;
        }
        catch (Spectre.Console.Cli.CommandParseException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Usage;
        }
        catch (Spectre.Console.Cli.CommandRuntimeException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Usage;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            return Usage;
        }
        catch (Kindling.Config.RecipeException e)
        {
            Console.Error.WriteLine(e.Message);
            return Usage;
        }
        catch (Kindling.Distributed.DistributedException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failure;
        }
        catch (NonFiniteTrainingException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failure;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or NotSupportedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a folder that turned read-only mid-run: the message names the file; no stack trace.
            Console.Error.WriteLine($"error: could not read or write a file: {e.Message}");
            return Failure;
        }
    }

    /// <summary>Markup-safe text for Spectre.</summary>
    public static string Esc(string s) => Markup.Escape(s);
}
