using SmmuLab.Examples;

// Exit code 0 when everything happened as expected, 1 when something did not, 2 on an exception.
try
{
    return MinimalHost.Run(Console.Out).Succeeded ? 0 : 1;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException)
{
    Console.Error.WriteLine($"MinimalHost: {e.Message}");
    return 2;
}
