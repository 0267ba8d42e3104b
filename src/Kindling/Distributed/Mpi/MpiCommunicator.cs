using System.Diagnostics;
using static TorchSharp.torch;

namespace Kindling.Distributed.Mpi;

/// <summary>
/// MPI_COMM_WORLD on Open MPI. Every collective is started non-blocking and waited for by polling with a deadline
/// (<see cref="Timeout"/>): when a rank has died or hangs, the others do not wait forever but stop the job with
/// MPI_Abort and a message naming the collective. MPI is initialised when this is made and finalised when it is disposed.
/// </summary>
public sealed unsafe class MpiCommunicator : ICommunicator
{
    readonly MpiLibrary mpi;
    bool disposed;

    MpiCommunicator(MpiLibrary mpi, TimeSpan timeout)
    {
        this.mpi = mpi;
        Timeout = timeout;
        int rank, size;
        Check(mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
        Check(mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
        Backend = mpi.Version();
    }

    /// <summary>Loads Open MPI and initialises it (once per process: MPI cannot be initialised again after it is finalised).</summary>
    /// <param name="timeout">How long any collective may take before the job is aborted.</param>
    /// <exception cref="DistributedException">No MPI library, or MPI was already finalised.</exception>
    public static MpiCommunicator Initialize(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "the collective timeout must be positive.");
        var mpi = MpiLibrary.Load();
        int initialized, finalized, provided;
        mpi.Finalized(&finalized);
        if (finalized != 0) throw new DistributedException("MPI was already finalised in this process; it can be initialised only once.");
        mpi.Initialized(&initialized);
        if (initialized == 0) Check(mpi.InitThread(null, null, MpiLibrary.ThreadSerialized, &provided), "MPI_Init_thread");
        return new MpiCommunicator(mpi, timeout);
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <inheritdoc/>
    public string Backend { get; }

    /// <summary>The longest any collective may take; then the job is aborted rather than left hanging.</summary>
    public TimeSpan Timeout
    {
        get => timeout;
        set => timeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the collective timeout must be positive.");
    }

    TimeSpan timeout;

    /// <inheritdoc/>
    public void Barrier()
    {
        IntPtr request;
        Check(mpi.Ibarrier(mpi.CommWorld, &request), "MPI_Ibarrier");
        new Pending(this, request, null, "barrier").Wait();
    }

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        Require(tensor, anyType: true);
        if (root < 0 || root >= Size) throw new ArgumentOutOfRangeException(nameof(root), root, $"root must be a rank in [0, {Size}).");
        // Counts are C ints: large tensors go in chunks of 1 GiB.
        long bytes = tensor.numel() * tensor.ElementSize;
        var start = (byte*)TensorMemory.Address(tensor);
        for (long offset = 0; offset < bytes; offset += 1 << 30)
        {
            int count = (int)Math.Min(1 << 30, bytes - offset);
            IntPtr request;
            Check(mpi.Ibcast(start + offset, count, mpi.Byte, root, mpi.CommWorld, &request), "MPI_Ibcast");
            new Pending(this, request, tensor, "broadcast").Wait();
        }
    }

    /// <inheritdoc/>
    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum) => StartAllReduce(tensor, op).Wait();

    /// <inheritdoc/>
    public IPendingCollective StartAllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        Require(tensor, anyType: false);
        if (tensor.numel() > int.MaxValue) throw new ArgumentException($"an all-reduce of {tensor.numel()} elements is more than MPI's int count; split it into buckets.", nameof(tensor));
        IntPtr request;
        Check(mpi.Iallreduce(MpiLibrary.InPlace, TensorMemory.Address(tensor), (int)tensor.numel(), DataType(tensor), Op(op), mpi.CommWorld, &request), "MPI_Iallreduce");
        return new Pending(this, request, tensor, "all-reduce");
    }

    /// <inheritdoc/>
    public Tensor AllGather(Tensor tensor)
    {
        Require(tensor, anyType: true);
        long bytes = tensor.numel() * tensor.ElementSize;
        if (bytes > int.MaxValue) throw new ArgumentException($"an all-gather of {bytes} bytes per rank is more than MPI's int count.", nameof(tensor));
        var result = empty([Size, .. tensor.shape], tensor.dtype);
        IntPtr request;
        Check(mpi.Iallgather(TensorMemory.Address(tensor), (int)bytes, mpi.Byte, TensorMemory.Address(result), (int)bytes, mpi.Byte, mpi.CommWorld, &request), "MPI_Iallgather");
        new Pending(this, request, tensor, "all-gather").Wait();
        return result;
    }

    /// <inheritdoc/>
    public void Abort(string message, int code = 1)
    {
        Console.Error.WriteLine($"rank {Rank}: {message}");
        Console.Error.Flush();
        mpi.Abort(mpi.CommWorld, code);
        // MPI_Abort does not return; if a broken runtime let it, the process still must not go on.
        Environment.Exit(code);
    }

    /// <summary>Finalises MPI (every rank must reach this; mpirun waits for all of them).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        int finalized;
        mpi.Finalized(&finalized);
        if (finalized == 0) mpi.Finalize();
    }

    IntPtr DataType(Tensor t) => t.dtype switch
    {
        ScalarType.Float32 => mpi.Float,
        ScalarType.Float64 => mpi.Double,
        ScalarType.Int64 => mpi.Int64,
        _ => throw new ArgumentException($"an all-reduce takes float32, float64 or int64 tensors, not {t.dtype}."),
    };

    IntPtr Op(ReduceOp op) => op switch
    {
        ReduceOp.Sum => mpi.OpSum,
        ReduceOp.Max => mpi.OpMax,
        ReduceOp.Min => mpi.OpMin,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown reduction."),
    };

    static void Require(Tensor t, bool anyType)
    {
        if (t.device_type != TorchSharp.DeviceType.CPU) throw new ArgumentException($"the MPI backend communicates CPU tensors; this one is on {t.device}.");
        if (!t.is_contiguous()) throw new ArgumentException("collectives need a contiguous tensor (call .contiguous() first).");
        if (!anyType && t.dtype is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Int64))
            throw new ArgumentException($"an all-reduce takes float32, float64 or int64 tensors, not {t.dtype}.");
    }

    static void Check(int code, string call)
    {
        if (code != 0) throw new DistributedException($"{call} failed with MPI error {code}.");
    }

    /// <summary>One request, polled until done or until the deadline, when the job is aborted.</summary>
    sealed class Pending(MpiCommunicator owner, IntPtr request, Tensor? buffer, string what) : IPendingCollective
    {
        IntPtr request = request;
        bool done;
        // Held so the buffer cannot be collected while MPI writes into it.
        Tensor? buffer = buffer;

        public bool Test()
        {
            if (done) return true;
            int flag;
            IntPtr r = request;
            Check(owner.mpi.Test(&r, &flag, null), "MPI_Test");
            request = r;
            if (flag != 0)
            {
                done = true;
                buffer = null;
            }
            return done;
        }

        public void Wait()
        {
            var clock = Stopwatch.StartNew();
            for (long polls = 0; !Test(); polls++)
            {
                if (clock.Elapsed > owner.Timeout)
                    owner.Abort($"the {what} did not complete within {owner.Timeout.TotalSeconds:0.#} s: another rank has died or is stuck " +
                        "(its own error, if any, is above). Stopping the whole job rather than hanging; the last checkpoint is intact, and " +
                        "`kindling train --resume RUN_DIR` (under mpirun or not) continues from it.");
                // Spin briefly (a collective on shared memory takes microseconds), then yield the core: ranks share the machine.
                if (polls > 2000) Thread.Sleep(polls > 20000 ? 1 : 0);
            }
        }
    }
}
