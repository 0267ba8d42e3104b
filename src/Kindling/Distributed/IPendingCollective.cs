namespace Kindling.Distributed;

/// <summary>
/// A non-blocking collective in flight (MPI_Iallreduce and friends): its buffer belongs to the communication library
/// until <see cref="Wait"/> returns or <see cref="Test"/> says it is done.
/// </summary>
public interface IPendingCollective
{
    /// <summary>Whether it has finished (without blocking); calling it also lets the library make progress.</summary>
    bool Test();

    /// <summary>Blocks until it has finished, or stops the whole job when the communicator's timeout passes first.</summary>
    void Wait();
}
