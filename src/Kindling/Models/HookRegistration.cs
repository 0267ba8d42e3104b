namespace Kindling.Models;

/// <summary>Removes a set of forward hooks when disposed (once).</summary>
sealed class HookRegistration(List<Action> removers) : IDisposable
{
    public void Dispose()
    {
        foreach (var remove in removers) remove();
        removers.Clear();
    }
}
