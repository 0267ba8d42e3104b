using System.Globalization;

namespace Kindling.Cli.Display;

/// <summary>A duration as the end-of-run line prints it: m:ss, or h:mm:ss from an hour up (m:ss alone wraps at 60 minutes).</summary>
public static class ElapsedTime
{
    public static string Format(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalHours >= 1
            ? string.Format(CultureInfo.InvariantCulture, "{0}:{1:D2}:{2:D2}", (int)t.TotalHours, t.Minutes, t.Seconds)
            : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);
    }
}
