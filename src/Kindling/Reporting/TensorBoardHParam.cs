namespace Kindling.Reporting;

/// <summary>
/// A hyperparameter as the TensorBoard HParams tab declares it: its name and either the values it
/// takes (a discrete domain) or the interval it is drawn from.
/// </summary>
/// <param name="Name">The name (a dotted recipe key).</param>
/// <param name="Values">The values, as text; numbers and true/false are typed as such. Null for an interval.</param>
/// <param name="Min">The interval's low end, when <paramref name="Values"/> is null.</param>
/// <param name="Max">The interval's high end.</param>
public sealed record TensorBoardHParam(string Name, IReadOnlyList<string>? Values, double Min = 0, double Max = 0);
