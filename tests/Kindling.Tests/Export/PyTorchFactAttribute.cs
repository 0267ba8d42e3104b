using System.Diagnostics;

namespace Kindling.Tests.Export;

/// <summary>A test that needs Debian's PyTorch (/usr/bin/python3 with torch and torchvision); skipped, saying how to install it, where it is absent.</summary>
sealed class PyTorchFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(Python)) return $"{Python} is not installed";
        try
        {
            using var p = Process.Start(new ProcessStartInfo(Python, ["-c", "import torch, torchvision"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"{Python} cannot import torch and torchvision ({error.Trim().Split('\n').LastOrDefault()})";
        }
        catch (Exception e)
        {
            return $"{Python} did not run ({e.Message})";
        }
    });

    public PyTorchFactAttribute()
    {
        if (Missing.Value is { } why)
            Skip = $"PyTorch interop needs PyTorch: {why}. Install it with apt-get install python3-torch python3-torchvision (scripts/setup.sh --with-pytorch).";
    }
}
