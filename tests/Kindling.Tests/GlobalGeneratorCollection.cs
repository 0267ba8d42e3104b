namespace Kindling.Tests;

/// <summary>
/// Tests that seed torch's process-wide generator and then depend on the exact draws: they run alone,
/// since any test running beside them would draw from the same generator in between.
/// </summary>
[CollectionDefinition("GlobalGenerator", DisableParallelization = true)]
public class GlobalGeneratorCollection;
