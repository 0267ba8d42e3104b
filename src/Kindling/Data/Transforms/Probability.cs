namespace Kindling.Data.Transforms;

/// <summary>Argument checks shared by the random transforms.</summary>
internal static class Probability
{
    public static void Check(double p, string name)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(name, p, $"{name} is a probability: expected a value in [0, 1].");
    }

    public static void CheckRange((double Min, double Max) range, string name, double lowest = 0)
    {
        if (!(range.Min >= lowest && range.Min <= range.Max))
            throw new ArgumentOutOfRangeException(name, range, $"{name} must be (min, max) with {lowest} <= min <= max.");
    }
}
