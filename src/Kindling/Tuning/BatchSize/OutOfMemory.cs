namespace Kindling.Tuning.BatchSize;

/// <summary>Tells an allocation failure (libtorch's CUDA or CPU allocator, .NET's) from other errors, which must not be swallowed.</summary>
public static class OutOfMemory
{
    /// <summary>Whether <paramref name="e"/> (or an inner exception) says memory ran out.</summary>
    public static bool Is(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is OutOfMemoryException) return true;
            var m = e.Message;
            // libtorch: "CUDA out of memory. Tried to allocate ...", "DefaultCPUAllocator: not enough memory: ...", "... can't allocate memory ...".
            if (m.Contains("out of memory", StringComparison.OrdinalIgnoreCase) || m.Contains("not enough memory", StringComparison.OrdinalIgnoreCase)
                || m.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
