namespace Kindling.Data.Datasets;

/// <summary>Which CIFAR-100 labels to use: the 100 fine classes or the 20 coarse superclasses.</summary>
public enum CifarLabels
{
    Fine,
    Coarse,
}
