namespace Kindling.Optim.Schedulers;

/// <summary>How OneCycleLR moves between two values: PyTorch's anneal_strategy 'cos' or 'linear'.</summary>
public enum AnnealStrategy
{
    Cos,
    Linear,
}
