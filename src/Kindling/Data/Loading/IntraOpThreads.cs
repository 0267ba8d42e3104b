using System.Runtime.InteropServices;
using TorchSharp;

namespace Kindling.Data.Loading;

/// <summary>
/// Keeps loader worker threads from spawning intra-op thread pools.
/// <para>
/// libtorch's CPU ops parallelise with OpenMP (the Linux/Windows builds TorchSharp ships), and the
/// OpenMP team size is a per-thread setting: <c>at::get_num_threads</c> returns
/// <c>omp_get_max_threads()</c> of the calling thread, and each thread copies the process-wide value
/// the first time it runs a parallel op (<c>at::internal::lazy_init_num_threads</c>). So a worker
/// thread would open its own team of up to all cores for any op above the grain size (32k elements:
/// a 3x224x224 image, or collating a batch), fighting the training thread for the cores.
/// <c>torch.set_num_threads(1)</c> is not the answer: besides the calling thread it changes the
/// process-wide value that other threads start from and MKL's global thread count, i.e. it would
/// slow down the training thread's own matmuls. PyTorch's worker processes call it, but they are
/// processes. Here each worker thread sets only its own OpenMP team size to one, through
/// <c>omp_set_num_threads</c> of the OpenMP runtime libtorch loaded (found in /proc/self/maps), after
/// first letting libtorch initialise the thread so that it does not overwrite the value later.
/// Where no OpenMP runtime is found (another OS or a non-OpenMP build) nothing is changed; the
/// loader's own per-sample ops stay below the grain size anyway.
/// </para>
/// </summary>
internal static unsafe class IntraOpThreads
{
    static readonly Lazy<nint> SetNumThreads = new(FindOmpSetNumThreads);

    /// <summary>Limits intra-op parallelism of the calling thread only to one thread; false where it cannot.</summary>
    public static bool LimitCurrentThreadToOne()
    {
        _ = torch.get_num_threads(); // runs libtorch's lazy per-thread init now, so it cannot reset our value later
        var fn = SetNumThreads.Value;
        if (fn == 0) return false;
        ((delegate* unmanaged[Cdecl]<int, void>)fn)(1);
        return torch.get_num_threads() == 1;
    }

    static nint FindOmpSetNumThreads()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash < 0) continue;
                var path = line[slash..];
                var file = Path.GetFileName(path);
                if (!file.StartsWith("libgomp", StringComparison.Ordinal) && !file.StartsWith("libiomp", StringComparison.Ordinal)) continue;
                if (NativeLibrary.TryLoad(path, out var handle) && NativeLibrary.TryGetExport(handle, "omp_set_num_threads", out var fn))
                    return fn;
            }
        }
        catch (IOException) { }
        return 0;
    }
}
