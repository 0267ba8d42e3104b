using System.Text.Json;

namespace Kindling.Tests;

/// <summary>Reads the PyTorch-made fixtures under Oracle/ (copied to the test output).</summary>
static class OracleFixtures
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "Oracle", relative);

    public static JsonDocument Json(string relative) => JsonDocument.Parse(File.ReadAllText(PathOf(relative)));
}
