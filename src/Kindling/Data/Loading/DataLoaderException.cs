namespace Kindling.Data.Loading;

/// <summary>Reading, transforming or collating a sample failed; the message names the sample and the batch, the inner exception is the cause.</summary>
public sealed class DataLoaderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DataLoaderException(string message, int sampleIndex, Exception? inner = null) : base(message, inner) => SampleIndex = sampleIndex;

    /// <summary>The data set index of the sample that failed, or -1 when no single sample is at fault.</summary>
    public int SampleIndex { get; }
}
