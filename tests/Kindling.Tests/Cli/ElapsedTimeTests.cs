using Kindling.Cli.Display;

namespace Kindling.Tests.Cli;

/// <summary>The end-of-run line's duration: a 64-minute run printed "3:26" when the format was m:ss alone.</summary>
public class ElapsedTimeTests
{
    [Theory]
    [InlineData(55.0, "0:55")]
    [InlineData(360.4, "6:00")]
    [InlineData(3599.4, "59:59")]
    [InlineData(3806.0, "1:03:26")]
    [InlineData(36000.0, "10:00:00")]
    public void MinutesAndSecondsBelowAnHourHoursFromThere(double seconds, string expected) =>
        Assert.Equal(expected, ElapsedTime.Format(seconds));
}
