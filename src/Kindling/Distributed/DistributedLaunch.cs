using Kindling.Distributed.Mpi;

namespace Kindling.Distributed;

/// <summary>
/// Whether this process was started by a launcher (mpirun, srun) as one rank of several, and the communicator for it.
/// A process started without one needs no MPI at all: <see cref="Open"/> gives a <see cref="LocalCommunicator"/> and never
/// loads the library.
/// </summary>
public static class DistributedLaunch
{
    /// <summary>How long a collective may wait for the other ranks before the job is aborted, unless the recipe says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    // Open MPI's mpirun sets OMPI_COMM_WORLD_*; PMIx launchers PMIX_RANK; MPICH's and Slurm's PMI_*.
    static readonly string[] SizeVariables = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"];
    static readonly string[] RankVariables = ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"];

    /// <summary>Whether a launcher started this process (one of its rank variables is set).</summary>
    public static bool UnderLauncher => RankVariables.Any(v => Environment.GetEnvironmentVariable(v) is not null);

    /// <summary>The world size the launcher announced; 1 without a launcher; null when a launcher started us without saying.</summary>
    public static int? WorldSizeFromEnvironment()
    {
        foreach (var v in SizeVariables)
            if (int.TryParse(Environment.GetEnvironmentVariable(v), out var size) && size > 0) return size;
        return UnderLauncher ? null : 1;
    }

    /// <summary>The world this process belongs to: MPI's when a launcher started more than one rank, else a local world of one.</summary>
    /// <param name="timeout">How long a collective may take before the job is aborted; null: <see cref="DefaultTimeout"/>.</param>
    /// <exception cref="DistributedException">Started by mpirun, but no usable MPI library is installed.</exception>
    public static ICommunicator Open(TimeSpan? timeout = null) =>
        WorldSizeFromEnvironment() is 1 ? new LocalCommunicator() : MpiCommunicator.Initialize(timeout ?? DefaultTimeout);
}
