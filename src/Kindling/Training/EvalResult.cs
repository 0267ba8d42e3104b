using Kindling.Metrics;

namespace Kindling.Training;

/// <summary>Metrics of a model on one split.</summary>
public sealed record EvalResult(double Loss, double Accuracy, double TopK, int K, ClassificationReport Report, ConfusionMatrix Confusion,
    double CalibrationError, ExpectedCalibrationError Calibration, long Samples);
