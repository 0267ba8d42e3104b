namespace Kindling.Tuning.Sweeps;

/// <summary>A sweep specification that cannot run: the flag, the key or the value, and what was expected.</summary>
public sealed class SweepSpecException(string message) : ArgumentException(message);
