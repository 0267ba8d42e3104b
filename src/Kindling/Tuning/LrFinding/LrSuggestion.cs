namespace Kindling.Tuning.LrFinding;

/// <summary>How a learning rate is read off the range test's curve.</summary>
public enum LrSuggestion
{
    /// <summary>Where the smoothed loss falls fastest against log(lr): a good constant learning rate.</summary>
    Steepest,

    /// <summary>One tenth of the learning rate at the smoothed loss's minimum: the loss still falls clearly there, so it suits a one-cycle peak.</summary>
    MinimumTenth,
}
