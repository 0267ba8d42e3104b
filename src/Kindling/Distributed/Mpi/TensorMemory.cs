using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Kindling.Distributed.Mpi;

/// <summary>Where a CPU tensor's bytes are. TorchSharp 0.107 has no data_ptr; its byte span starts at the tensor's data, which lives in native memory (it never moves).</summary>
static unsafe class TensorMemory
{
    public static void* Address(Tensor tensor) =>
        tensor.numel() == 0 ? null : Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
}
