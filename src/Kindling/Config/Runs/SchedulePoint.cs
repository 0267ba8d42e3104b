using System.Text.Json.Serialization;

namespace Kindling.Config.Runs;

/// <summary>The learning rate (and momentum or Adam's beta1) in effect for one optimizer step.</summary>
/// <param name="Step">Optimizer step, from 0.</param>
/// <param name="Epoch">The epoch the step belongs to, from 1.</param>
/// <param name="Lr">The first parameter group's learning rate.</param>
/// <param name="Momentum">SGD/RMSprop momentum or Adam's beta1; null for optimizers with neither.</param>
public sealed record SchedulePoint(
    [property: JsonPropertyName("step")] int Step,
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("lr")] double Lr,
    [property: JsonPropertyName("momentum")] double? Momentum);
