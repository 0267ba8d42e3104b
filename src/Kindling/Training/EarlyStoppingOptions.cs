namespace Kindling.Training;

/// <summary>Early stopping on a validation metric: stop after <c>Patience</c> epochs without an improvement above <c>MinDelta</c>.</summary>
public sealed record EarlyStoppingOptions(string Monitor = "val_loss", string Mode = "min", int Patience = 5, double MinDelta = 0);
