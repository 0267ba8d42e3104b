namespace Kindling.Training;

/// <summary>
/// Stops training when a monitored metric has not improved by more than <c>min_delta</c> for
/// <c>patience</c> epochs (as Keras' and Lightning's EarlyStopping).
/// </summary>
public sealed class EarlyStopping
{
    public EarlyStopping(string monitor = "val_loss", string mode = "min", int patience = 5, double min_delta = 0)
    {
        if (mode is not ("min" or "max")) throw new ArgumentException($"mode '{mode}' is not known: expected 'min' or 'max'.", nameof(mode));
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be >= 0.");
        if (min_delta < 0) throw new ArgumentOutOfRangeException(nameof(min_delta), min_delta, "min_delta must be >= 0.");
        Monitor = monitor;
        Maximize = mode == "max";
        Patience = patience;
        MinDelta = min_delta;
        Best = Maximize ? double.NegativeInfinity : double.PositiveInfinity;
    }

    public string Monitor { get; }
    public bool Maximize { get; }
    public int Patience { get; }
    public double MinDelta { get; }
    public double Best { get; private set; }
    public int BadEpochs { get; private set; }

    /// <summary>Records one epoch's value; returns true when training should stop.</summary>
    public bool Update(double value)
    {
        if (double.IsNaN(value)) throw new ArgumentException($"{Monitor} is NaN: nothing to compare.");
        bool improved = Maximize ? value > Best + MinDelta : value < Best - MinDelta;
        if (improved)
        {
            Best = value;
            BadEpochs = 0;
        }
        else BadEpochs++;
        return !improved && BadEpochs >= Patience;
    }

    /// <summary>Restores the counters (for resume).</summary>
    public void Restore(double best, int badEpochs)
    {
        Best = best;
        BadEpochs = badEpochs;
    }
}
