namespace Kindling.Data.Datasets;

/// <summary>The IDX data sets of the MNIST family.</summary>
public enum MnistVariant
{
    Mnist,
    FashionMnist,
    Kmnist,
}
