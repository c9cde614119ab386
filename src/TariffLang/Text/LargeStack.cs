using System.Runtime.ExceptionServices;

namespace TariffLang.Text;

/// <summary>
/// Runs work on a thread with a large stack. Tariff expressions are walked recursively (parser, checker,
/// interpreter); the depth limits keep that bounded, and the large stack keeps the bound far from the
/// process-killing StackOverflowException.
/// </summary>
internal static class LargeStack
{
    private const int StackBytes = 64 * 1024 * 1024;

    public static T Run<T>(Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try { result = work(); }
            catch (Exception e) { failure = ExceptionDispatchInfo.Capture(e); }
        }, StackBytes);
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
