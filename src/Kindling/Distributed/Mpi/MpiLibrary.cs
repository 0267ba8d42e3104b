using System.Runtime.InteropServices;

namespace Kindling.Distributed.Mpi;

/// <summary>
/// Open MPI's C library reached by direct P/Invoke: the few calls Kindling uses, as function pointers, and the predefined
/// handles. Open MPI's handles are pointers to its predefined objects (MPI_COMM_WORLD is <c>&amp;ompi_mpi_comm_world</c>),
/// so they are the addresses of those exported symbols; this is why MPI.NET, written for MPICH's integer handles, cannot
/// be used. The library is opened with RTLD_GLOBAL, as mpi4py does, so the plugins Open MPI loads later find its symbols.
/// </summary>
sealed unsafe class MpiLibrary
{
    /// <summary>Open MPI 4.x's soname (Debian's libopenmpi3 package, installed with openmpi-bin).</summary>
    public const string FileName = "libmpi.so.40";

    /// <summary>MPI_THREAD_SERIALIZED in Open MPI's mpi.h: one thread at a time calls MPI (the trainer's).</summary>
    public const int ThreadSerialized = 2;

    const int RtldNow = 2, RtldGlobal = 0x100;

    MpiLibrary(IntPtr handle)
    {
        IntPtr Symbol(string name) => NativeLibrary.TryGetExport(handle, name, out var address) ? address
            : throw new DistributedException($"{FileName} has no symbol {name}: Kindling needs Open MPI 4.x (Debian: apt-get install openmpi-bin libopenmpi-dev).");
        CommWorld = Symbol("ompi_mpi_comm_world");
        Float = Symbol("ompi_mpi_float");
        Double = Symbol("ompi_mpi_double");
        Int64 = Symbol("ompi_mpi_long_long_int");
        Byte = Symbol("ompi_mpi_byte");
        OpSum = Symbol("ompi_mpi_op_sum");
        OpMax = Symbol("ompi_mpi_op_max");
        OpMin = Symbol("ompi_mpi_op_min");
        InitThread = (delegate* unmanaged<int*, IntPtr*, int, int*, int>)Symbol("MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)Symbol("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Symbol("MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)Symbol("MPI_Finalize");
        CommRank = (delegate* unmanaged<IntPtr, int*, int>)Symbol("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<IntPtr, int*, int>)Symbol("MPI_Comm_size");
        Ibarrier = (delegate* unmanaged<IntPtr, IntPtr*, int>)Symbol("MPI_Ibarrier");
        Ibcast = (delegate* unmanaged<void*, int, IntPtr, int, IntPtr, IntPtr*, int>)Symbol("MPI_Ibcast");
        Iallreduce = (delegate* unmanaged<void*, void*, int, IntPtr, IntPtr, IntPtr, IntPtr*, int>)Symbol("MPI_Iallreduce");
        Iallgather = (delegate* unmanaged<void*, int, IntPtr, void*, int, IntPtr, IntPtr, IntPtr*, int>)Symbol("MPI_Iallgather");
        Test = (delegate* unmanaged<IntPtr*, int*, void*, int>)Symbol("MPI_Test");
        Abort = (delegate* unmanaged<IntPtr, int, int>)Symbol("MPI_Abort");
        GetLibraryVersion = (delegate* unmanaged<byte*, int*, int>)Symbol("MPI_Get_library_version");
    }

    public IntPtr CommWorld { get; }
    public IntPtr Float { get; }
    public IntPtr Double { get; }
    public IntPtr Int64 { get; }
    public IntPtr Byte { get; }
    public IntPtr OpSum { get; }
    public IntPtr OpMax { get; }
    public IntPtr OpMin { get; }

    /// <summary>MPI's "send from the receive buffer" marker: Open MPI's MPI_IN_PLACE is <c>(void*)1</c>.</summary>
    public static void* InPlace => (void*)1;

    public delegate* unmanaged<int*, IntPtr*, int, int*, int> InitThread { get; }
    public delegate* unmanaged<int*, int> Initialized { get; }
    public delegate* unmanaged<int*, int> Finalized { get; }
    public delegate* unmanaged<int> Finalize { get; }
    public delegate* unmanaged<IntPtr, int*, int> CommRank { get; }
    public delegate* unmanaged<IntPtr, int*, int> CommSize { get; }
    public delegate* unmanaged<IntPtr, IntPtr*, int> Ibarrier { get; }
    public delegate* unmanaged<void*, int, IntPtr, int, IntPtr, IntPtr*, int> Ibcast { get; }
    public delegate* unmanaged<void*, void*, int, IntPtr, IntPtr, IntPtr, IntPtr*, int> Iallreduce { get; }
    public delegate* unmanaged<void*, int, IntPtr, void*, int, IntPtr, IntPtr, IntPtr*, int> Iallgather { get; }
    /// <summary>MPI_Test(request, flag, status); the status may be MPI_STATUS_IGNORE, which is null in Open MPI.</summary>
    public delegate* unmanaged<IntPtr*, int*, void*, int> Test { get; }
    public delegate* unmanaged<IntPtr, int, int> Abort { get; }
    public delegate* unmanaged<byte*, int*, int> GetLibraryVersion { get; }

    /// <summary>Opens <see cref="FileName"/>, or says what to install.</summary>
    /// <exception cref="DistributedException">The library is not installed or is not Open MPI 4.x.</exception>
    public static MpiLibrary Load() => Load(FileName);

    /// <summary>Opens <paramref name="fileName"/> (tests name one that is not installed).</summary>
    internal static MpiLibrary Load(string fileName)
    {
        var handle = DlOpen(fileName, RtldNow | RtldGlobal);
        if (handle == IntPtr.Zero)
        {
            var why = Marshal.PtrToStringUTF8(DlError()) ?? "not found";
            throw new DistributedException(
                $"this process was started by mpirun for data-parallel training, but the MPI library {fileName} could not be loaded ({why}). " +
                "Install Open MPI 4.x: apt-get install openmpi-bin libopenmpi-dev (scripts/setup.sh does), or train without mpirun.");
        }
        return new MpiLibrary(handle);
    }

    /// <summary>Open MPI's version line, e.g. "Open MPI v4.1.4, ...".</summary>
    public string Version()
    {
        // MPI_MAX_LIBRARY_VERSION_STRING is 256 in Open MPI.
        var buffer = stackalloc byte[256];
        int length;
        GetLibraryVersion(buffer, &length);
        var text = System.Text.Encoding.UTF8.GetString(buffer, Math.Clamp(length, 0, 256));
        return text.Split('\n', ',')[0].Trim();
    }

    [DllImport("libc.so.6", EntryPoint = "dlopen")]
    static extern IntPtr DlOpen(string file, int mode);

    [DllImport("libc.so.6", EntryPoint = "dlerror")]
    static extern IntPtr DlError();
}
