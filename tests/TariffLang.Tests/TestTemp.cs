using System.Collections.Concurrent;

namespace TariffLang.Tests;

/// <summary>Temporary folders for tests, removed when the test process ends so runs do not pile up in /tmp.</summary>
internal static class TestTemp
{
    private static readonly ConcurrentBag<string> Created = new();

    static TestTemp() => AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveAll();

    public static string NewDirectory(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        Created.Add(dir);
        return dir;
    }

    private static void RemoveAll()
    {
        foreach (var dir in Created)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A folder still in use is left for the system's temp cleanup.
            }
        }
    }
}
