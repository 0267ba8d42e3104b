using Kindling.Training;

namespace Kindling.Diagnostics.Profiling;

/// <summary>One phase of a profiled step: mean milliseconds per step and its share of the step.</summary>
public sealed record PhaseTime(StepPhase Phase, double Ms, double Share);
