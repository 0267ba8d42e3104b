namespace Kindling.Distributed;

/// <summary>Data-parallel training cannot start or go on: no MPI library, ranks that disagree, an MPI error. The message says what to do.</summary>
public sealed class DistributedException(string message, Exception? inner = null) : Exception(message, inner);
